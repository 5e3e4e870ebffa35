"""Defect 9: a policy may shorten a statutory term, never lengthen it (59-ФЗ ст.8 ч.2–3, ст.12
ч.1–2; the configured ceilings of ПОС messages, incidents and calls), and a version applies to
appeals received from its effective date: the clock counts each appeal under the version in force
at its receipt. Real dates across the New Year holidays (1–11.01.2026)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.vocabulary import Channel, Deadline, Kind
from domain.shared.errors import InvalidCommand
from domain.shared.inputs import as_record
from domain.sla import statute
from domain.sla.book import DeadlineRuleInput, PublishPolicy, SlaPolicyPublished, decide_publish
from domain.sla.clock import SlaClock
from domain.sla.policy import FEDERAL, DeadlineRule, SlaPolicy, Unit
from tests.support.appeals import CURATOR, POLICY, Scenario, receive

NOW = datetime(2025, 12, 29, 7, 0, tzinfo=UTC)  # Monday 29.12.2025, 10:00 in Moscow
REG, RCV = "AppealRegistered", "AppealReceived"


def publish(*extra: DeadlineRule, **fields: object) -> PublishPolicy:
    """The federal rules plus ``extra`` (topical, so each kind keeps its general rules)."""
    rules = (*FEDERAL.rules, *extra)
    return PublishPolicy(
        title="Сроки региона",
        rules=tuple(as_record(r, DeadlineRuleInput) for r in rules),
        note="Постановление главы региона",
        **fields,  # type: ignore[arg-type]
    )


def rule(deadline: Deadline, kind: Kind, anchor: str, amount: int, unit: Unit) -> DeadlineRule:
    return DeadlineRule(
        deadline=deadline,
        kinds=frozenset({kind}),
        topic="ЖКХ",
        anchor=anchor,
        amount=amount,
        unit=unit,
    )


APPEAL, MESSAGE, INCIDENT, CALL = Kind.APPEAL, Kind.MESSAGE, Kind.INCIDENT, Kind.CALL
ANSWER, REGISTER, FORWARD = Deadline.ANSWER, Deadline.REGISTER, Deadline.FORWARD
CD, WD, WH = Unit.CALENDAR_DAYS, Unit.WORKING_DAYS, Unit.WORKING_HOURS
ST12_1, ST8_2, ST8_3 = "ст.12 ч.1 59-ФЗ", "ст.8 ч.2 59-ФЗ", "ст.8 ч.3 59-ФЗ"
POS, REGION = "ПП РФ № 1802", "региональный"
# (what, the rule, the act the refusal names; None: accepted)
GUARD = [
    ("ст.12 ч.1: 60 days to answer", (ANSWER, APPEAL, REG, 60, CD), ST12_1),
    ("ст.12 ч.1: 31 days", (ANSWER, APPEAL, REG, 31, CD), ST12_1),
    ("ст.12 ч.1: 30 days", (ANSWER, APPEAL, REG, 30, CD), None),
    ("ст.12 ч.1: 20 days from receipt", (ANSWER, APPEAL, RCV, 20, CD), None),
    ("ст.12 ч.1: 13 working days fit 30", (ANSWER, APPEAL, REG, 13, WD), None),
    ("ст.12 ч.1: 14 working days may not", (ANSWER, APPEAL, REG, 14, WD), ST12_1),
    ("ст.12 ч.1: from an interim answer", (ANSWER, APPEAL, "InterimAnswerGiven", 5, CD), ST12_1),
    ("ст.8 ч.2: 10 days to register", (REGISTER, APPEAL, RCV, 10, CD), ST8_2),
    ("ст.8 ч.2: 3 working days", (REGISTER, APPEAL, RCV, 3, WD), ST8_2),
    ("ст.8 ч.2: 1 day", (REGISTER, APPEAL, RCV, 1, CD), None),
    ("ст.8 ч.3: 8 days to forward", (FORWARD, APPEAL, REG, 8, CD), ST8_3),
    ("ст.8 ч.3: 5 days", (FORWARD, APPEAL, REG, 5, CD), None),
    ("ПОС: 11 days to answer", (ANSWER, MESSAGE, REG, 11, CD), POS),
    ("ПОС: 10 working days", (ANSWER, MESSAGE, REG, 10, WD), POS),
    ("ПОС: 5 days for ЖКХ", (ANSWER, MESSAGE, REG, 5, CD), None),
    ("incident: 8 working days", (ANSWER, INCIDENT, REG, 8, WD), REGION),
    ("incident: 6 calendar days", (ANSWER, INCIDENT, REG, 6, CD), None),
    ("incident: 9 working hours", (Deadline.FIRST_REACTION, INCIDENT, RCV, 9, WH), REGION),
    ("call: 10 days", (ANSWER, CALL, REG, 10, CD), None),
]


@pytest.mark.parametrize(("what", "row", "refused"), GUARD, ids=[g[0] for g in GUARD])
def test_a_policy_may_shorten_a_term_never_lengthen_it(
    what: str, row: tuple[Deadline, Kind, str, int, Unit], refused: str | None
) -> None:
    command = publish(rule(*row))
    if refused is None:
        (event,) = decide_publish(FEDERAL, "region", command, actor=CURATOR, now=NOW)
        assert isinstance(event, SlaPolicyPublished) and event.policy.version == 2
        return
    with pytest.raises(InvalidCommand, match=re.escape(refused)) as error:
        decide_publish(FEDERAL, "region", command, actor=CURATOR, now=NOW)
    assert "never lengthen" in str(error.value)


def test_the_extension_cap_names_st_12_part_2_and_the_federal_policy_passes() -> None:
    with pytest.raises(InvalidCommand, match=re.escape("ст.12 ч.2 59-ФЗ")):
        decide_publish(FEDERAL, "region", publish(max_extension_days=31), actor=CURATOR, now=NOW)
    statute.check(FEDERAL.rules, FEDERAL.max_extension_days)  # the seed is lawful
    assert all(c.statutory for c in statute.CEILINGS if c.kinds == {Kind.APPEAL})
    assert not any(c.statutory for c in statute.CEILINGS if Kind.APPEAL not in c.kinds)


def test_a_deployment_configures_its_regional_ceilings() -> None:
    longer = rule(Deadline.ANSWER, Kind.INCIDENT, REG, 10, Unit.WORKING_DAYS)
    with pytest.raises(InvalidCommand, match="региональный"):
        statute.check([longer], 30)
    regional = tuple(
        msgspec.structs.replace(c, amount=10)
        if c.deadline is Deadline.ANSWER and c.kinds == {Kind.INCIDENT}
        else c
        for c in statute.CEILINGS
    )
    statute.check([longer], 30, regional)


def test_units_compare_conservatively() -> None:
    assert statute.longest_days(30, Unit.CALENDAR_DAYS) == 30
    assert statute.longest_days(10, Unit.WORKING_DAYS) == 14 + statute.LONGEST_HOLIDAYS
    assert statute.longest_days(8, Unit.WORKING_HOURS) == 3 + statute.LONGEST_HOLIDAYS


def test_a_version_applies_from_now_or_a_later_date_a_past_one_only_as_a_correction() -> None:
    (event,) = decide_publish(FEDERAL, "federal", publish(), actor=CURATOR, now=NOW)
    assert isinstance(event, SlaPolicyPublished)
    assert event.policy.effective_from == NOW and not event.correction
    later = NOW + timedelta(days=14)
    (event,) = decide_publish(
        FEDERAL, "federal", publish(effective_from=later), actor=CURATOR, now=NOW
    )
    assert isinstance(event, SlaPolicyPublished) and event.policy.effective_from == later
    past = publish(effective_from=NOW - timedelta(days=1))
    with pytest.raises(InvalidCommand, match="only a correction"):
        decide_publish(FEDERAL, "federal", past, actor=CURATOR, now=NOW)
    with pytest.raises(InvalidCommand, match="correction"):
        decide_publish(FEDERAL, "federal", publish(reason="ошибка"), actor=CURATOR, now=NOW)
    with pytest.raises(InvalidCommand, match="reason"):
        decide_publish(FEDERAL, "federal", publish(correction=True), actor=CURATOR, now=NOW)


def test_a_correction_takes_the_corrected_versions_date_and_says_why() -> None:
    since = NOW - timedelta(days=40)
    current = msgspec.structs.replace(FEDERAL, effective_from=since)
    command = publish(correction=True, reason="в политику внесён не тот срок", may_shorten=True)
    (event,) = decide_publish(current, "federal", command, actor=CURATOR, now=NOW)
    assert isinstance(event, SlaPolicyPublished)
    assert event.policy.effective_from == since and event.correction and event.may_shorten
    assert event.reason == "в политику внесён не тот срок"


def test_an_event_from_before_effective_dates_decodes_with_the_old_meaning() -> None:
    (event,) = decide_publish(None, "federal", publish(), actor=CURATOR, now=NOW)
    raw = msgspec.json.decode(msgspec.json.encode(event))
    for name in ("correction", "reason", "may_shorten"):
        del raw[name]
    del raw["policy"]["effective_from"]
    old = msgspec.json.decode(msgspec.json.encode(raw), type=SlaPolicyPublished)
    assert not old.correction and old.reason is None and not old.may_shorten
    assert old.policy.effective_from is None  # the book reads it as its publication


# v1 (30 days) always; v2 (10 days to answer an appeal) from Tuesday 30.12.2025, 09:00 Moscow.
V1 = FEDERAL
V2_FROM = datetime(2025, 12, 30, 6, 0, tzinfo=UTC)
V2 = SlaPolicy(
    id="federal",
    version=2,
    title="Сроки региона: обращения — 10 дней",
    rules=tuple(
        msgspec.structs.replace(r, amount=10)
        if r.deadline is Deadline.ANSWER and Kind.APPEAL in r.kinds
        else r
        for r in FEDERAL.rules
    ),
    effective_from=V2_FROM,
)
CLOCK = SlaClock(calendar=POLICY.calendar, policy=V2, versions=(V1, V2))


# (received, registered, the version counted under, the answer's last day)
RECEIPTS = [
    # received under v1, registered after v2 took effect: 30 days from 30.12.2025 → 29.01.2026
    (NOW, datetime(2025, 12, 30, 9, 0, tzinfo=UTC), 1, "29.01.2026"),
    # received under v2: 10 days from 30.12.2025 → 09.01.2026, a holiday → 12.01.2026
    (V2_FROM + timedelta(hours=1), datetime(2025, 12, 30, 9, 0, tzinfo=UTC), 2, "12.01.2026"),
]


@pytest.mark.parametrize(("received", "registered", "version", "last_day"), RECEIPTS)
def test_an_appeal_is_counted_under_the_version_in_force_at_its_receipt(
    received: datetime, registered: datetime, version: int, last_day: str
) -> None:
    appeal = Scenario(start=received, policy=CLOCK).given(
        receive(Kind.APPEAL, Channel.EMAIL), after=timedelta(0)
    )
    (event,) = appeal.when(
        cmd.RegisterAppeal(registration_number="ОБР-2025/000001"), after=registered - received
    )
    assert isinstance(event, ev.AppealRegistered)
    assert event.deadline_policy == f"federal/{version}"
    (answer,) = [d for d in event.deadlines if d.deadline is Deadline.ANSWER]
    assert answer.provenance.policy_version == version
    assert any(last_day in step for step in answer.provenance.steps)


def test_the_clock_picks_the_version_that_took_effect_last() -> None:
    scheduled = msgspec.structs.replace(V2, version=3, effective_from=V2_FROM + timedelta(days=30))
    fixed = msgspec.structs.replace(V2, version=4)  # a correction of v2, from v2's date
    clock = msgspec.structs.replace(CLOCK, versions=(V1, V2, scheduled, fixed))
    assert clock.as_of(NOW).policy.version == 1
    assert clock.as_of(V2_FROM).policy.version == 4
    assert clock.as_of(V2_FROM + timedelta(days=31)).policy.version == 3
    first = msgspec.structs.replace(V2, version=1)
    only = SlaClock(policy=V2, versions=(first, V2))
    assert only.as_of(NOW).policy.version == 1  # before the first version: the first counts
    assert SlaClock().as_of(NOW).policy is FEDERAL  # no versions: the policy given
