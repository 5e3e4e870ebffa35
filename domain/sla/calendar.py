"""The production calendar: which days are worked, and for how many hours.

Russia works Monday to Friday, except on its non-working holidays (Labour Code art. 112) and the
days off the government moves each year by decree, and on the Saturdays it makes working days in
exchange. A working day immediately before a non-working holiday is one hour shorter (art. 95).
The calendar is data with a version: each correction (a late decree, a regional holiday) makes a
new version, and every deadline records the version it was computed under. Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property

import msgspec


class DayKind(StrEnum):
    WORKING = "working"
    SHORTENED = "shortened"  # a working day one hour shorter (the eve of a holiday)
    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # a non-working holiday (art. 112)
    DAY_OFF = "day_off"  # a day off moved by decree, or a regional day off


WORKED = frozenset({DayKind.WORKING, DayKind.SHORTENED})


class CalendarDay(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A day that differs from the Monday-to-Friday rule, and why."""

    day: date
    kind: DayKind
    note: str = ""  # «Новогодние каникулы», «Выходной (перенесено с 04.01.2025)», «Рабочая суббота»


# The working day: 9:00–18:00 with a break 13:00–14:00 (8 hours); the eve of a holiday ends at 17:00.
DEFAULT_HOURS: tuple[tuple[time, time], ...] = ((time(9), time(13)), (time(14), time(18)))


class ProductionCalendar(msgspec.Struct, frozen=True, kw_only=True, dict=True):
    """``exceptions`` lists every day that is not an ordinary weekday or weekend day, for the
    ``years`` the calendar covers; a year outside them follows the Monday-to-Friday rule, and a
    deadline computed there says so."""

    id: str = "RU"
    version: int = 1
    years: tuple[int, ...] = ()
    exceptions: tuple[CalendarDay, ...] = ()
    hours: tuple[tuple[time, time], ...] = DEFAULT_HOURS

    @cached_property
    def _by_day(self) -> dict[date, CalendarDay]:
        return {d.day: d for d in self.exceptions}

    # --- days -------------------------------------------------------------------------------
    def covers(self, day: date) -> bool:
        return day.year in self.years

    def day(self, day: date) -> CalendarDay:
        found = self._by_day.get(day)
        if found is not None:
            return found
        return CalendarDay(day=day, kind=DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKING)

    def kind(self, day: date) -> DayKind:
        found = self._by_day.get(day)
        if found is not None:
            return found.kind
        return DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKING

    def is_working(self, day: date) -> bool:
        return self.kind(day) in WORKED

    def roll_forward(self, day: date) -> date:
        """``day`` if it is worked, else the next working day."""
        while not self.is_working(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (``count`` ≥ 1)."""
        if count < 1:
            raise ValueError("count working days from 1")
        while count:
            day += timedelta(days=1)
            if self.is_working(day):
                count -= 1
        return day

    def days_of(self, year: int, month: int | None = None) -> Iterator[CalendarDay]:
        day = date(year, month or 1, 1)
        while day.year == year and (month is None or day.month == month):
            yield self.day(day)
            day += timedelta(days=1)

    # --- hours --------------------------------------------------------------------------------
    def intervals(self, day: date) -> tuple[tuple[time, time], ...]:
        """The day's working intervals, local time (the last one ends an hour early on the eve
        of a holiday; none on a day off)."""
        kind = self.kind(day)
        if kind not in WORKED:
            return ()
        if kind is DayKind.WORKING:
            return self.hours
        *first, (start, end) = self.hours
        shorter = (datetime.combine(day, end) - timedelta(hours=1)).time()
        return (*first, (start, shorter))

    def working_hours(self, day: date) -> float:
        return sum(
            (datetime.combine(day, b) - datetime.combine(day, a)).total_seconds() / 3600
            for a, b in self.intervals(day)
        )

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The local moment when ``duration`` of working time has passed since ``start`` (a
        local, time-zone aware moment); time outside working hours does not count."""
        if duration < timedelta(0):
            raise ValueError("working time is added, not taken away")
        zone = start.tzinfo
        left = duration
        day = start.date()
        moment = start.replace(tzinfo=None)
        while True:
            for a, b in self.intervals(day):
                begin = max(moment, datetime.combine(day, a))
                end = datetime.combine(day, b)
                if begin >= end:
                    continue
                if begin + left <= end:
                    return (begin + left).replace(tzinfo=zone)
                left -= end - begin
            day += timedelta(days=1)
            moment = datetime.combine(day, time(0))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two local moments (zero if ``end`` is not after ``start``)."""
        total = timedelta(0)
        day = start.date()
        begin, finish = start.replace(tzinfo=None), end.replace(tzinfo=None)
        while day <= finish.date():
            for a, b in self.intervals(day):
                lo = max(begin, datetime.combine(day, a))
                hi = min(finish, datetime.combine(day, b))
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Whole working days after ``start``'s day, up to the day ``end`` closes (a deadline in
        days ends at the next day's 00:00)."""
        last = (end - timedelta(microseconds=1)).date()
        day, count = start.date() + timedelta(days=1), 0
        while day <= last:
            count += self.is_working(day)
            day += timedelta(days=1)
        return count

    # --- a year at a glance -----------------------------------------------------------------
    def month_summary(self, year: int, month: int) -> MonthSummary:
        days = list(self.days_of(year, month))
        worked = [d for d in days if d.kind in WORKED]
        return MonthSummary(
            year=year,
            month=month,
            calendar_days=len(days),
            working_days=len(worked),
            days_off=len(days) - len(worked),
            shortened=sum(1 for d in days if d.kind is DayKind.SHORTENED),
            working_hours=sum(self.working_hours(d.day) for d in worked),
        )

    def corrected(self, day: CalendarDay) -> ProductionCalendar:
        """The next version, with ``day`` set as given (a decree, a regional holiday)."""
        others = tuple(d for d in self.exceptions if d.day != day.day)
        ordinary = (day.kind is DayKind.WEEKEND) == (day.day.weekday() >= 5) and day.kind in (
            DayKind.WEEKEND,
            DayKind.WORKING,
        )
        exceptions = others if ordinary and not day.note else (*others, day)
        years = tuple(sorted({*self.years, day.day.year}))
        return msgspec.structs.replace(
            self,
            version=self.version + 1,
            years=years,
            exceptions=tuple(sorted(exceptions, key=lambda d: d.day)),
        )


class MonthSummary(msgspec.Struct, frozen=True, kw_only=True):
    year: int
    month: int
    calendar_days: int
    working_days: int
    days_off: int
    shortened: int
    working_hours: float
