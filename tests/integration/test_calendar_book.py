"""The production calendar as versioned data in the event store."""

from __future__ import annotations

from datetime import date

import pytest

from domain.appeals.application import AppealsApplication
from domain.shared.errors import Forbidden, NotFound, RuleViolated, VersionMismatch
from domain.sla.book import CalendarDayCorrected, CalendarYearSeeded, CorrectDay, stream_id
from domain.sla.calendar import DayKind
from infra import calendar_source
from infra.container import Container
from tests.support.appeals import CURATOR, OPERATOR

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
    if before.kind(REGIONAL.day) is DayKind.DAY_OFF:
        pytest.skip("already corrected in this session")
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
