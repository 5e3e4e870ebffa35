"""Terms counted in days (calendar or working) from their first day, with the steps that say
how, in Russian: the part of a deadline that depends on the day only, counted once per rule,
calendar, zone and day (a bulk import's thousands of appeals a day share it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from domain.sla.calendar import ProductionCalendar


class Unit(StrEnum):
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"


if TYPE_CHECKING:
    from domain.sla.policy import DeadlineRule


def fmt(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def end_of(day: date, zone: ZoneInfo) -> datetime:
    """The instant the local day ends (the next day's 00:00), in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def coverage(calendar: ProductionCalendar, first: date, last: date) -> list[str]:
    missing = sorted({y for y in range(first.year, last.year + 1)} - set(calendar.years))
    return [
        f"{y} год не входит в календарь {calendar.id} версии {calendar.version}:"
        " учтены только субботы и воскресенья"
        for y in missing
    ]


# A term in days depends on its first day only: the deadlines of a day's appeals (thousands in a
# bulk import) are counted once. Keyed by the objects' identities (kept alive in the value, so an
# id is never reused while its entry lives), bounded.
_DAYS: dict[tuple[int, int, str, date], tuple[object, object, datetime, tuple[str, ...]]] = {}
DAYS_MAX = 50_000


def counted_days(
    rule: DeadlineRule, start: date, calendar: ProductionCalendar, zone: ZoneInfo
) -> tuple[datetime, tuple[str, ...]]:
    """The end of a term in days counted from ``start``, and the steps that say how."""
    key = (id(rule), id(calendar), zone.key, start)
    known = _DAYS.get(key)
    if known is not None and known[0] is rule and known[1] is calendar:
        return known[2], known[3]
    steps = []
    if rule.unit is Unit.CALENDAR_DAYS:
        last = start + timedelta(days=rule.amount)
        steps.append(
            f"Со дня, следующего за {fmt(start)}, {rule.amount} календарных дней → {fmt(last)}."
        )
        if rule.roll_over and not calendar.is_working(last):
            rolled = calendar.roll_forward(last)
            steps.append(
                f"{fmt(last)} — нерабочий день ({calendar.day(last).note or calendar.kind(last)})"
                f": срок переносится на ближайший рабочий день {fmt(rolled)}."
            )
            last = rolled
    else:
        last = calendar.add_working_days(start, rule.amount)
        steps.append(f"{rule.amount}-й рабочий день после {fmt(start)} → {fmt(last)}.")
    due = end_of(last, zone)
    steps.append(f"Срок истекает в конце дня {fmt(last)} (24:00 местного времени).")
    steps.extend(coverage(calendar, start, last))
    if len(_DAYS) >= DAYS_MAX:
        _DAYS.clear()
    _DAYS[key] = (rule, calendar, due, tuple(steps))
    return due, tuple(steps)
