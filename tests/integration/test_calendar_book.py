"""The production calendar as versioned data in the event store."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from domain.appeals import commands as cmd
from domain.appeals.application import AppealsApplication
from domain.appeals.events import AppealRegistered
from domain.appeals.vocabulary import Deadline
from domain.shared.errors import (
    Forbidden,
    InvalidCommand,
    NotFound,
    RuleViolated,
    VersionMismatch,
)
from domain.shared.inputs import as_record
from domain.sla.book import (
    CalendarDayCorrected,
    CalendarYearSeeded,
    CorrectDay,
    DeadlineRuleInput,
    PublishPolicy,
    stream_id,
)
from domain.sla.calendar import DayKind
from infra import calendar_source
from infra.container import Container
from tests.support.appeals import CURATOR, OPERATOR, receive

pytestmark = pytest.mark.integration
REGIONAL = CorrectDay(
    day=date(2026, 9, 21),
    kind=DayKind.DAY_OFF,
    note="День Республики",
    reason="Закон субъекта о региональном празднике",
    decree="Закон № 123-З",
)


def test_seeding_records_each_year_once_with_its_source(container: Container) -> None:
    calendar = calendar_source.seed(container.calendar, [2025, 2026])
    again = calendar_source.seed(container.calendar, [2025, 2026])
    assert {2025, 2026} <= set(calendar.years) and again.version == calendar.version
    seeded = [e for e in container.calendar.events("RU") if isinstance(e, CalendarYearSeeded)]
    assert {e.year for e in seeded} >= {2025, 2026}
    assert all(e.source.startswith("holidays ") for e in seeded)
    months = [calendar.month_summary(2026, m) for m in range(1, 13)]
    assert sum(m.working_days for m in months) == 247


def test_a_correction_is_an_event_and_a_new_version(
    container: Container, app: AppealsApplication
) -> None:
    calendar_source.seed(container.calendar, [2026])
    before = container.calendar.calendar()
    assert before.kind(REGIONAL.day) is DayKind.WORKING  # a Monday no other test corrects
    after = container.calendar.correct(REGIONAL, actor=CURATOR, expected_version=before.version)
    assert after.version == before.version + 1
    assert after.kind(REGIONAL.day) is DayKind.DAY_OFF
    last = container.calendar.events("RU")[-1]
    assert isinstance(last, CalendarDayCorrected)
    assert last.reason == REGIONAL.reason and last.actor == CURATOR
    assert last.decree == "Закон № 123-З"
    with pytest.raises(RuleViolated):
        container.calendar.correct(REGIONAL, actor=CURATOR)  # nothing to change
    with pytest.raises(VersionMismatch):
        container.calendar.correct(
            CorrectDay(day=date(2026, 9, 22), kind=DayKind.DAY_OFF, reason="проверка версии"),
            actor=CURATOR,
            expected_version=before.version,
        )
    with pytest.raises(Forbidden):
        container.calendar.correct(
            CorrectDay(day=date(2026, 9, 22), kind=DayKind.DAY_OFF, reason="не мне решать"),
            actor=OPERATOR,
        )
    # The calendar stream is not an appeal.
    with pytest.raises(NotFound):
        app.state(stream_id("RU"))


def test_a_published_policy_version_is_used_for_new_deadlines(
    container: Container, app: AppealsApplication
) -> None:
    container.seed_calendar()
    current = container.policies.policy("federal")
    assert current is not None and current.version >= 1
    command = PublishPolicy(
        title=current.title,
        rules=tuple(as_record(r, DeadlineRuleInput) for r in current.rules),
        note="Уточнение формулировок, сроки прежние",
    )
    with pytest.raises(Forbidden):
        container.policies.publish("federal", command, actor=OPERATOR)
    with pytest.raises(VersionMismatch):
        container.policies.publish(
            "federal", command, actor=CURATOR, expected_version=current.version - 1
        )
    with pytest.raises(InvalidCommand, match="answer rule"):
        container.policies.publish(
            "federal",
            msgspec.structs.replace(
                command, rules=tuple(r for r in current.rules if r.deadline is not Deadline.ANSWER)
            ),
            actor=CURATOR,
        )
    published = container.policies.publish(
        "federal", command, actor=CURATOR, expected_version=current.version
    )
    assert published.version == current.version + 1
    container.sla_clock.refresh()  # what the route does: new decisions use it at once
    r = app.receive(receive(), actor=OPERATOR, idempotency=None)
    registered = app.handle(r.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
    event = app.events_of(registered.state.id)[-1]
    assert isinstance(event, AppealRegistered)
    assert event.deadline_policy == f"federal/{published.version}"
    assert all(d.provenance.policy_version == published.version for d in event.deadlines)
