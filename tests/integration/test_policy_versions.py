"""Defect 9 through the application and the log: an ordinary new version of the policy in force
applies to appeals received from its effective date and leaves running deadlines alone; only a
correction re-times them, with an event, later only unless it says it may shorten. A database of
its own: the versions published here must not meet the other tests' appeals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.vocabulary import Channel, Deadline, Kind
from domain.shared.errors import InvalidCommand
from domain.shared.inputs import as_record
from domain.sla.book import CorrectDay, DeadlineRuleInput, PublishPolicy
from domain.sla.calendar import DayKind
from domain.sla.policy import SlaPolicy
from infra.container import Container
from infra.database import ConnectionInfo
from tests.conftest import own_database
from tests.support.appeals import CURATOR, OPERATOR, receive

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def own(db_server: ConnectionInfo) -> Iterator[Container]:
    with own_database(db_server, "policyversions") as (container, _info):
        yield container


def message_days(policy: SlaPolicy, days: int, **fields: object) -> PublishPolicy:
    """The policy's rules with ``days`` calendar days to answer a ПОС message."""
    rules = tuple(
        msgspec.structs.replace(r, amount=days)
        if r.deadline is Deadline.ANSWER and Kind.MESSAGE in r.kinds
        else r
        for r in policy.rules
    )
    return PublishPolicy(
        title=policy.title,
        rules=tuple(as_record(r, DeadlineRuleInput) for r in rules),
        note=f"ПОС — {days} дней",
        **fields,  # type: ignore[arg-type]
    )


def publish(c: Container, days: int, **fields: object) -> SlaPolicy:
    current = c.policies.policy("federal")
    assert current is not None
    published = c.policies.publish("federal", message_days(current, days, **fields), actor=CURATOR)
    c.sla_clock.refresh()  # what the route does
    c.engine.catch_up_all()  # the re-timer follows the publication in the log, if it is to
    return published


def received(c: Container) -> UUID:
    return c.appeals.receive(receive(), actor=OPERATOR, idempotency=None).state.id


def registered(c: Container, appeal_id: UUID) -> datetime:
    due = c.appeals.handle(appeal_id, cmd.RegisterAppeal(), actor=OPERATOR).state.answer_due
    assert due is not None
    c.engine.catch_up_all()  # the SLA view knows the open deadline
    return due


def retimed(c: Container, appeal_id: UUID) -> list[ev.DeadlinesRetimed]:
    events = c.appeals.events_of(appeal_id)
    return [e for e in events if isinstance(e, ev.DeadlinesRetimed)]


def answer_version(c: Container, appeal_id: UUID) -> int:
    (event,) = [e for e in c.appeals.events_of(appeal_id) if isinstance(e, ev.AppealRegistered)]
    (answer,) = [d for d in event.deadlines if d.deadline is Deadline.ANSWER]
    return answer.provenance.policy_version


def test_a_new_version_applies_to_appeals_received_from_its_date_and_moves_nothing(
    own: Container,
) -> None:
    running = received(own)
    running_due = registered(own, running)
    waiting = received(own)  # received under the old version, registered under the new one
    old = own.policies.policy("federal")
    assert old is not None
    new = publish(own, 5)
    assert new.effective_from is not None and new.effective_from <= datetime.now(UTC)
    assert retimed(own, running) == [] and own.appeals.state(running).answer_due == running_due
    registered(own, waiting)
    assert answer_version(own, waiting) == old.version  # the version in force at receipt
    fresh = received(own)
    fresh_due = registered(own, fresh)
    assert answer_version(own, fresh) == new.version and fresh_due < running_due
    # A version from a later date waits for it; one dated in the past would be a correction.
    later = publish(own, 7, effective_from=datetime.now(UTC) + timedelta(days=30))
    now = received(own)
    registered(own, now)
    assert answer_version(own, now) == new.version != later.version
    current = own.policies.policy("federal")
    assert current is not None
    with pytest.raises(InvalidCommand, match="only a correction"):
        own.policies.publish(
            "federal",
            message_days(current, 3, effective_from=datetime.now(UTC) - timedelta(days=1)),
            actor=CURATOR,
        )
    versions = own.policies.versions("federal")
    assert [v.version for v in versions] == list(range(1, later.version + 1))
    assert all(v.effective_from is not None for v in versions)


def test_a_correction_moves_running_deadlines_later_and_earlier_only_when_it_says_so(
    own: Container,
) -> None:
    publish(own, 10)  # an ordinary version from now: the appeals below are counted under it
    ten = received(own)
    ten_due = registered(own, ten)
    why = "В политику внесён не тот срок"
    shorter = publish(own, 3, correction=True, reason=why)
    assert retimed(own, ten) == []  # 10 → 3 days would be earlier: not without saying so
    assert own.appeals.state(ten).answer_due == ten_due
    three = received(own)
    three_due = registered(own, three)
    assert answer_version(own, three) == shorter.version and three_due < ten_due
    longer = publish(own, 10, correction=True, reason="Исправление было ошибочным")
    (moved,) = retimed(own, three)
    (answer,) = moved.deadlines
    assert answer.due == ten_due > three_due  # later: re-timed, with an event
    assert answer.provenance.policy_version == longer.version
    assert "исправление ошибки" in moved.reason and "ошибочным" in moved.reason
    assert retimed(own, ten) == []  # already 10 days: nothing moves
    cut = publish(own, 5, correction=True, reason="Регламент ПОС: 5 дней", may_shorten=True)
    assert own.appeals.state(ten).answer_due == own.appeals.state(three).answer_due
    (earlier,) = retimed(own, ten)
    assert earlier.deadlines[0].due < ten_due
    assert earlier.deadlines[0].provenance.policy_version == cut.version
    assert len(retimed(own, three)) == 2


def test_a_calendar_correction_moves_running_deadlines_later_only(own: Container) -> None:
    incident = own.appeals.receive(
        receive(Kind.INCIDENT, Channel.VK), actor=OPERATOR, idempotency=None
    ).state.id
    due = registered(own, incident)  # 7 working days: a weekend inside
    zone = ZoneInfo("Europe/Moscow")
    today = datetime.now(UTC).astimezone(zone).date()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    assert saturday < due.astimezone(zone).date()
    worked = CorrectDay(
        day=saturday, kind=DayKind.WORKING, note="Рабочая суббота", reason="Перенос выходного"
    )
    own.calendar.correct(worked, actor=CURATOR)
    own.engine.catch_up_all()
    assert retimed(own, incident) == []  # a working Saturday would bring it earlier: not so
    assert own.appeals.state(incident).answer_due == due
