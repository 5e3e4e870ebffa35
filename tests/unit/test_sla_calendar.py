"""The production calendar and deadline arithmetic with real dates, and their properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.appeals.vocabulary import Channel, Deadline, Kind
from domain.sla.calendar import CalendarDay, DayKind
from domain.sla.policy import FEDERAL, Anchor, DeadlineRule, Unit, compute, extend, resume
from infra.calendar_source import russian_calendar

RU = russian_calendar([2024, 2025, 2026, 2027])
MSK = "Europe/Moscow"
MOSCOW = ZoneInfo(MSK)


def at(text: str, zone: str = MSK) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def rule(amount: int, unit: Unit, deadline: Deadline = Deadline.ANSWER) -> DeadlineRule:
    return DeadlineRule(
        deadline=deadline,
        kinds=frozenset(Kind),
        anchor="AppealRegistered",
        amount=amount,
        unit=unit,
    )


def due(amount: int, unit: Unit, anchor: str, zone: str = MSK) -> datetime:
    computed = compute(
        rule(amount, unit),
        Anchor(event="AppealRegistered", version=2, at=at(anchor, zone)),
        policy=FEDERAL,
        calendar=RU,
        timezone=zone,
    )
    return computed.due.astimezone(ZoneInfo(zone))


@pytest.mark.parametrize(
    ("year", "working_days", "hours"),
    [(2024, 248, 1979), (2025, 247, 1972), (2026, 247, 1972)],
)
def test_the_year_has_the_decreed_working_days_and_hours(
    year: int, working_days: int, hours: int
) -> None:
    months = [RU.month_summary(year, m) for m in range(1, 13)]
    assert sum(m.working_days for m in months) == working_days
    assert sum(m.working_hours for m in months) == hours


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        ("2026-01-01", DayKind.HOLIDAY),  # New Year holidays
        ("2026-01-07", DayKind.HOLIDAY),  # Christmas
        ("2026-01-09", DayKind.DAY_OFF),  # moved from Saturday 3 January
        ("2026-01-12", DayKind.WORKING),
        ("2026-03-09", DayKind.DAY_OFF),  # 8 March fell on a Sunday
        ("2026-04-30", DayKind.SHORTENED),  # the eve of 1 May
        ("2025-11-01", DayKind.SHORTENED),  # a working Saturday standing in for 3 November
        ("2024-12-28", DayKind.WORKING),  # a working Saturday
        ("2025-05-08", DayKind.DAY_OFF),  # moved from 23 February
        ("2026-05-16", DayKind.WEEKEND),
    ],
)
def test_days_of_the_russian_calendar(day: str, kind: DayKind) -> None:
    assert RU.kind(date.fromisoformat(day)) is kind


@pytest.mark.parametrize(
    ("amount", "unit", "anchor", "expected"),
    [
        # 30 calendar days from 1 December 2025 → 31 December, a day off → rolls past the New
        # Year holidays and 9 January to Monday 12 January 2026.
        (30, Unit.CALENDAR_DAYS, "2025-12-01T10:00", "2026-01-13T00:00"),
        # lands on a Saturday → Monday
        (10, Unit.CALENDAR_DAYS, "2026-02-18T15:00", "2026-03-03T00:00"),
        # lands on a working day: no roll
        (10, Unit.CALENDAR_DAYS, "2026-02-16T15:00", "2026-02-27T00:00"),
        # 7 working days across the May holidays of 2025 (1–4 and 8–11 May off): 29, 30 April,
        # 5, 6, 7, 12, 13 May
        (7, Unit.WORKING_DAYS, "2025-04-28T12:00", "2025-05-14T00:00"),
        # a registration late in the evening still counts from the next day
        (1, Unit.WORKING_DAYS, "2026-03-06T23:30", "2026-03-11T00:00"),
        # on a working Saturday the count goes on normally
        (1, Unit.WORKING_DAYS, "2024-12-27T11:00", "2024-12-29T00:00"),
    ],
)
def test_deadlines_in_days(amount: int, unit: Unit, anchor: str, expected: str) -> None:
    assert due(amount, unit, anchor) == at(expected)


@pytest.mark.parametrize(
    ("hours", "anchor", "expected"),
    [
        (8, "2026-03-02T09:00", "2026-03-02T18:00"),  # a whole working day
        (8, "2026-03-06T16:00", "2026-03-10T16:00"),  # Friday afternoon, 9 March off
        (8, "2026-04-30T15:00", "2026-05-04T16:00"),  # the shortened eve ends at 17:00
        (8, "2026-03-02T20:00", "2026-03-03T18:00"),  # received after hours
        (4, "2026-03-02T12:00", "2026-03-02T17:00"),  # the lunch break does not count
        (1, "2026-03-02T17:00", "2026-03-02T18:00"),  # exactly at the end of the day
    ],
)
def test_deadlines_in_working_hours(hours: int, anchor: str, expected: str) -> None:
    assert due(hours, Unit.WORKING_HOURS, anchor) == at(expected)


def test_working_hours_are_local_to_each_municipality() -> None:
    moscow = due(8, Unit.WORKING_HOURS, "2026-03-02T09:00", MSK)
    vladivostok = due(8, Unit.WORKING_HOURS, "2026-03-02T09:00", "Asia/Vladivostok")
    assert moscow.astimezone(UTC) - vladivostok.astimezone(UTC) == timedelta(hours=7)
    assert vladivostok.hour == 18


def test_a_deadline_in_days_ends_at_local_midnight() -> None:
    kaliningrad = due(10, Unit.CALENDAR_DAYS, "2026-02-16T15:00", "Europe/Kaliningrad")
    assert kaliningrad == at("2026-02-27T00:00", "Europe/Kaliningrad")
    assert kaliningrad.astimezone(UTC).hour == 22


def test_provenance_explains_the_due_date() -> None:
    computed = compute(
        FEDERAL.rule(Deadline.ANSWER, Kind.APPEAL, Channel.EMAIL)
        or pytest.fail("no rule for appeals"),
        Anchor(event="AppealRegistered", version=2, at=at("2025-12-01T10:00")),
        policy=FEDERAL,
        calendar=RU,
        timezone=MSK,
    )
    p = computed.provenance
    assert (p.policy_id, p.policy_version, p.calendar_id, p.calendar_version) == (
        "federal",
        1,
        "RU",
        1,
    )
    assert p.anchor.event == "AppealRegistered" and p.rule.startswith("30 календарных дней")
    assert any("перенос" in step for step in p.steps)


def test_extension_and_pause() -> None:
    base = compute(
        rule(10, Unit.CALENDAR_DAYS),
        Anchor(event="AppealRegistered", version=2, at=at("2026-02-16T15:00")),
        policy=FEDERAL,
        calendar=RU,
        timezone=MSK,
    )
    # 26 Feb + 10 days = 8 March (Sunday), 9 March is a day off → Tuesday 10 March
    assert extend(base, 10, calendar=RU).due == at("2026-03-11T00:00").astimezone(UTC)
    # a pause of 2 days moves 27 Feb 00:00 to 1 March 00:00 → the last day is Saturday 28 Feb
    # → rolls to Monday 2 March
    paused = resume(base, timedelta(days=2), calendar=RU)
    assert paused.due == at("2026-03-03T00:00").astimezone(UTC)


def test_the_most_specific_rule_wins() -> None:
    shorter = DeadlineRule(
        deadline=Deadline.ANSWER,
        kinds=frozenset({Kind.MESSAGE}),
        topic="ЖКХ",
        anchor="AppealRegistered",
        amount=5,
        unit=Unit.CALENDAR_DAYS,
    )
    regional = FEDERAL.__class__(
        id="region-01", version=1, title="Региональные сроки", rules=(*FEDERAL.rules, shorter)
    )
    assert regional.rule(Deadline.ANSWER, Kind.MESSAGE, Channel.POS, "ЖКХ") == shorter
    general = regional.rule(Deadline.ANSWER, Kind.MESSAGE, Channel.POS, "Дороги")
    assert general is not None and general.amount == 10


def test_a_correction_makes_a_new_version() -> None:
    regional = RU.corrected(
        CalendarDay(day=date(2026, 9, 21), kind=DayKind.DAY_OFF, note="День Республики")
    )
    assert regional.version == RU.version + 1
    assert regional.kind(date(2026, 9, 21)) is DayKind.DAY_OFF
    assert RU.kind(date(2026, 9, 21)) is DayKind.WORKING


# --- properties ------------------------------------------------------------------------------
moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2027, 10, 31), timezones=st.just(MOSCOW)
)
units = st.sampled_from(list(Unit))
zones = st.sampled_from([MSK, "Asia/Vladivostok", "Europe/Kaliningrad", "Asia/Yekaterinburg"])


@settings(max_examples=300, deadline=None)
@given(anchor=moments, amount=st.integers(1, 40), unit=units, zone=zones)
def test_a_due_date_in_days_is_never_a_day_off(
    anchor: datetime, amount: int, unit: Unit, zone: str
) -> None:
    computed = compute(
        rule(amount, unit),
        Anchor(event="AppealRegistered", version=2, at=anchor),
        policy=FEDERAL,
        calendar=RU,
        timezone=zone,
    )
    local = computed.due.astimezone(ZoneInfo(zone))
    last_moment = local - timedelta(microseconds=1)
    assert RU.is_working(last_moment.date())
    if unit is not Unit.WORKING_HOURS:
        assert (local.hour, local.minute) == (0, 0)


@settings(max_examples=300, deadline=None)
@given(anchor=moments, amount=st.integers(1, 40), more=st.integers(1, 20), unit=units)
def test_adding_time_never_moves_a_deadline_earlier(
    anchor: datetime, amount: int, more: int, unit: Unit
) -> None:
    def of(n: int) -> datetime:
        return compute(
            rule(n, unit),
            Anchor(event="AppealRegistered", version=2, at=anchor),
            policy=FEDERAL,
            calendar=RU,
            timezone=MSK,
        ).due

    assert of(amount + more) >= of(amount)
    base = compute(
        rule(amount, unit),
        Anchor(event="AppealRegistered", version=2, at=anchor),
        policy=FEDERAL,
        calendar=RU,
        timezone=MSK,
    )
    if unit is not Unit.WORKING_HOURS:
        assert extend(base, more, calendar=RU).due > base.due


@settings(max_examples=300, deadline=None)
@given(
    anchor=moments,
    amount=st.integers(1, 40),
    unit=units,
    paused=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
)
def test_a_pause_never_shortens_a_deadline(
    anchor: datetime, amount: int, unit: Unit, paused: timedelta
) -> None:
    base = compute(
        rule(amount, unit),
        Anchor(event="AppealRegistered", version=2, at=anchor),
        policy=FEDERAL,
        calendar=RU,
        timezone=MSK,
    )
    assert resume(base, paused, calendar=RU).due >= base.due + paused
