"""ст.12 ч.2 59-ФЗ: the answer term of an appeal is extended once, by 30 days at most, in
exceptional cases or when a request under ст.10 ч.2 was sent, by the head, notifying the citizen.
Given these events, when this extension, then this event or this refusal (real dates, across the
New Year holidays of 2026)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import msgspec
import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.vocabulary import Channel, Deadline, ExtensionGround, Kind, NoticeRecipient
from domain.shared.actors import Actor
from domain.shared.errors import DomainError, Forbidden, InvalidCommand, RuleViolated
from domain.sla.clock import SlaClock
from tests.support.appeals import CURATOR, HEAD, OPERATOR, POLICY, REGISTER, Scenario, receive

# A letter registered on Monday 01.12.2025 (10:00 Moscow): its 30 days end on 31.12.2025, a day
# off, so on 12.01.2026 after the New Year holidays.
REGISTERED = datetime(2025, 12, 1, 7, 0, tzinfo=UTC)
ANSWER_DUE = datetime(2026, 1, 12, 21, 0, tzinfo=UTC)  # end of 12.01.2026, Moscow
EXCEPTIONAL = ExtensionGround.EXCEPTIONAL_CASE
REQUESTED = ExtensionGround.INFORMATION_REQUESTED


def registered(kind: Kind = Kind.APPEAL, policy: SlaClock = POLICY) -> Scenario:
    channel = Channel.LETTER if kind is Kind.APPEAL else Channel.POS
    scenario = Scenario(start=REGISTERED - timedelta(minutes=10), policy=policy)
    return scenario.given(receive(kind, channel), REGISTER)


def extension(
    s: Scenario,
    days: int = 10,
    ground: ExtensionGround = EXCEPTIONAL,
    request: UUID | None = None,
) -> cmd.ExtendDeadline:
    """An extension whose notice is dated now (after the registration)."""
    return cmd.ExtendDeadline(
        days=days,
        ground=ground,
        reason="Требуется выезд комиссии на место",
        information_request_id=request,
        citizen_notified_at=s.now,
    )


def request_sent(s: Scenario) -> UUID:
    s.given(cmd.RequestInformation(to_body="Роспотребнадзор", what="Акт проверки"))
    return first_request(s)


def first_request(s: Scenario) -> UUID:
    state = s.state
    assert state is not None
    return state.information_requests[0].id


@dataclass(frozen=True)
class Row:
    """One part of the rule: the history, the extension asked for, by whom, and the outcome."""

    id: str
    when: Callable[[Scenario], cmd.ExtendDeadline]
    actor: Actor = HEAD
    kind: Kind = Kind.APPEAL
    given: Callable[[Scenario], object] = lambda s: None
    refused: tuple[type[DomainError], str] | None = None
    policy: SlaClock = field(default=POLICY)


ROWS = [
    Row("the head extends once by 30 days", lambda s: extension(s, 30)),
    Row(
        "a second extension is refused",
        lambda s: extension(s, 10),
        given=lambda s: s.given(extension(s, 10), actor=HEAD),
        refused=(RuleViolated, "ст.12 ч.2 59-ФЗ: срок продлевается не более одного раза"),
    ),
    Row(
        "31 days are refused",
        lambda s: extension(s, 31),
        refused=(InvalidCommand, "`days` is out of range"),
    ),
    Row(
        "a policy's smaller cap holds (a shorter term is a region's right)",
        lambda s: extension(s, 25),
        policy=msgspec.structs.replace(
            POLICY, policy=msgspec.structs.replace(POLICY.policy, max_extension_days=20)
        ),
        refused=(RuleViolated, "ст.12 ч.2 59-ФЗ: an extension cannot exceed the legal cap of 20"),
    ),
    Row(
        "an operator is refused",
        lambda s: extension(s),
        actor=OPERATOR,
        refused=(Forbidden, "may not extend-deadline; allowed: head"),
    ),
    Row(
        "a curator is refused",
        lambda s: extension(s),
        actor=CURATOR,
        refused=(Forbidden, "may not extend-deadline; allowed: head"),
    ),
    Row(
        "the ground 'information requested' needs the request",
        lambda s: extension(s, ground=REQUESTED),
        refused=(InvalidCommand, "ст.12 ч.2 59-ФЗ: .*`information_request_id` is required"),
    ),
    Row(
        "a request that was not sent is refused",
        lambda s: extension(s, ground=REQUESTED, request=uuid4()),
        refused=(RuleViolated, r"ст.12 ч.2 59-ФЗ: no request for information \(ст.10 ч.2\)"),
    ),
    Row(
        "a request sent on the appeal is cited",
        lambda s: extension(s, ground=REQUESTED, request=first_request(s)),
        given=request_sent,
    ),
    Row(
        "a notice dated before the registration is refused",
        lambda s: msgspec.structs.replace(
            extension(s), citizen_notified_at=REGISTERED - timedelta(days=30)
        ),
        refused=(InvalidCommand, "ст.12 ч.2 59-ФЗ: citizen_notified_at cannot be before"),
    ),
    Row(
        "a ПОС message is extended once",
        lambda s: extension(s, 5),
        kind=Kind.MESSAGE,
        given=lambda s: s.given(extension(s, 5), actor=HEAD),
        refused=(RuleViolated, r"ПОС \(ПП РФ № 1802\): срок продлевается не более одного раза"),
    ),
    Row(
        "a 10-day ПОС message is not stretched by 30 days",
        lambda s: extension(s, 30),
        kind=Kind.MESSAGE,
        refused=(RuleViolated, r"ПОС \(ПП РФ № 1802\): .*legal cap of 10 days"),
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_st12_part2_extension(row: Row) -> None:
    scenario = registered(row.kind, row.policy)
    row.given(scenario)
    if row.refused is not None:
        error, message = row.refused
        with pytest.raises(error, match=message):
            scenario.when(row.when(scenario), row.actor)
        return
    command = row.when(scenario)
    (event,) = scenario.when(command, row.actor)
    assert isinstance(event, ev.DeadlineExtended)
    assert event.ground is command.ground
    assert event.information_request_id == command.information_request_id
    # the deciding actor is the approver, not a name typed in
    assert (event.approved_by, event.approver) == (HEAD.id, HEAD.name)


def test_the_extension_counts_from_the_rolled_term_and_records_the_notice() -> None:
    scenario = registered()
    state = scenario.state
    assert state is not None and state.answer_due == ANSWER_DUE
    command = extension(scenario, 30)
    (event,) = scenario.when(command, HEAD)
    assert isinstance(event, ev.DeadlineExtended)
    # 12.01.2026 + 30 days = 11.02.2026, a Wednesday: the end of that day in Moscow
    assert event.new_due == datetime(2026, 2, 11, 21, 0, tzinfo=UTC)
    (computed,) = event.deadlines
    assert "Продление на 30 календарных дней: 12.01.2026 → 11.02.2026." in computed.provenance.steps
    notice = event.notice
    assert notice is not None
    assert (notice.to, notice.channel, notice.at) == (
        NoticeRecipient.CITIZEN,
        Channel.LETTER,  # the appeal's own channel unless the command names another
        command.citizen_notified_at,
    )
    assert notice.template_id == "extension-notice"
    assert notice.what == "Срок рассмотрения продлён на 30 дн., до 11.02.2026 (ст.12 ч.2 59-ФЗ)"


def test_defect_1_an_appeal_extended_three_times_is_refused_at_the_second() -> None:
    """Regression (issue 14, defect 1): three extensions by 10 days were all accepted."""
    scenario = registered()
    scenario.given(extension(scenario, 10), actor=HEAD)
    for _ in range(2):
        with pytest.raises(RuleViolated, match="не более одного раза"):
            scenario.when(extension(scenario, 10), HEAD)
    state = scenario.state
    assert state is not None and (state.extensions, state.extension_days) == (1, 10)


def test_an_old_extension_with_a_typed_approver_still_decodes_and_folds() -> None:
    """Events are forever: a DeadlineExtended of before issue 14 (free-text approver, no ground,
    no notice) reads with the new fields absent and counts as it did."""
    scenario = registered()
    payload = msgspec.to_builtins(
        ev.DeadlineExtended(
            **{f: getattr(scenario.events[-1], f) for f in ("originator_id", "timestamp")},
            originator_version=3,
            occurred_at=scenario.now,
            actor=CURATOR,
            deadline=Deadline.ANSWER,
            previous_due=ANSWER_DUE,
            new_due=ANSWER_DUE + timedelta(days=10),
            days=10,
            reason="Выезд",
            approver="Глава администрации",
            citizen_notified_at=scenario.now,
            deadline_policy="federal/1",
        )
    )
    for name in ("ground", "information_request_id", "approved_by", "notice"):
        payload.pop(name)
    old = msgspec.convert(payload, ev.DeadlineExtended)
    assert (old.ground, old.approved_by, old.notice, old.approver) == (
        None,
        None,
        None,
        "Глава администрации",
    )
    scenario.events.extend([old, old])  # an old appeal extended twice keeps both
    scenario.events[-1] = msgspec.structs.replace(old, originator_version=4)
    state = scenario.state
    assert state is not None and (state.extensions, state.extension_days) == (2, 20)
