"""The Russian production calendar seeded from the ``holidays`` package (country RU).

``holidays`` knows the non-working holidays (Labour Code art. 112), the days off the government
moves each year, and the Saturdays made working days in exchange. It does not know the shortened
days: by art. 95 a working day immediately before a non-working holiday is one hour shorter, and
a working Saturday that stands in for such a day inherits the shorter hours (2024-11-02 and
2025-11-01 in the decrees). This module derives them; the calendar is then data that an
administrator can correct.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from importlib.metadata import version

import holidays

from domain.shared.actors import Actor, Role
from domain.sla.books import CalendarBook
from domain.sla.calendar import CalendarDay, DayKind, ProductionCalendar

SOURCE = f"holidays {version('holidays')} (RU)"
_MOVED_FROM = re.compile(r"перенесено с (\d{2})\.(\d{2})\.(\d{4})")
SHORTENED_NOTE = "Предпраздничный день: на час короче (ТК РФ ст. 95)"


def year_days(year: int) -> list[CalendarDay]:
    """Every day of ``year`` that is not an ordinary weekday or weekend day."""
    ru = holidays.country_holidays("RU", years=year, language="ru")
    days: dict[date, CalendarDay] = {}
    official: set[date] = set()
    moved: dict[date, date] = {}  # the working Saturday → the day off it stands in for
    for day, name in sorted(ru.items()):
        if "ыходной" in name:  # «Выходной (перенесено с …)», «… (выходной)»
            days[day] = CalendarDay(day=day, kind=DayKind.DAY_OFF, note=name)
            found = _MOVED_FROM.search(name)
            if found:
                source = date(int(found[3]), int(found[2]), int(found[1]))
                moved[source] = day
        else:
            days[day] = CalendarDay(day=day, kind=DayKind.HOLIDAY, note=name)
            official.add(day)
    for day in sorted(ru.weekend_workdays):
        days[day] = CalendarDay(day=day, kind=DayKind.WORKING, note="Рабочая суббота (перенос)")

    def worked(day: date) -> bool:
        found = days.get(day)
        return found.kind is DayKind.WORKING if found else day.weekday() < 5

    day = date(year, 1, 1)
    while day.year == year:
        eve = day + timedelta(days=1) in official
        if not eve and day in moved:  # a working Saturday standing in for the eve of a holiday
            eve = moved[day] + timedelta(days=1) in official
        if worked(day) and eve:
            note = days[day].note if day in days else ""
            days[day] = CalendarDay(
                day=day,
                kind=DayKind.SHORTENED,
                note="; ".join(n for n in (note, SHORTENED_NOTE) if n),
            )
        day += timedelta(days=1)
    return [days[d] for d in sorted(days) if d.year == year]


def russian_calendar(years: Iterable[int], *, version: int = 1) -> ProductionCalendar:
    covered = tuple(sorted(set(years)))
    exceptions = tuple(day for year in covered for day in year_days(year))
    return ProductionCalendar(id="RU", version=version, years=covered, exceptions=exceptions)


SEEDER = Actor(id="calendar-seeder", role=Role.SYSTEM, name="Загрузка производственного календаря")


def seed(book: CalendarBook, years: Iterable[int]) -> ProductionCalendar:
    """Record the years not yet in the RU calendar, from the package (each year an event)."""
    return book.seed({y: year_days(y) for y in years}, source=SOURCE, actor=SEEDER)


def default_years(today: date) -> list[int]:
    """The years an appeal received today can need: last year to two years ahead."""
    return list(range(today.year - 1, today.year + 3))
