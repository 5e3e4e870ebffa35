"""The production calendar's bodies: a year, a day's correction and the version it made, the
municipalities and their time zones."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

from domain.shared.inputs import Input, line, text
from domain.sla.calendar import DayKind


class CorrectDay(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Set one day of the calendar (an administrator's correction)."""

    day: date
    kind: DayKind
    note: Annotated[str, line(300, min_length=0)] = ""
    reason: Annotated[str, text(1000, min_length=3)]
    decree: Annotated[str, line(500)] | None = None


class CalendarDay(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A day that differs from the Monday-to-Friday rule, and why."""

    day: date
    kind: DayKind
    note: str = ""  # «Новогодние каникулы», «Выходной (перенесено с 04.01.2025)», «Рабочая суббота»


class MonthSummary(msgspec.Struct, frozen=True, kw_only=True):
    year: int
    month: int
    calendar_days: int
    working_days: int
    days_off: int
    shortened: int
    working_hours: float


class CalendarYear(msgspec.Struct, frozen=True, kw_only=True):
    calendar_id: str
    version: int
    year: int
    working_days: int
    working_hours: float
    months: list[MonthSummary]
    days: list[CalendarDay]  # the days that differ from the Monday-to-Friday rule


class CalendarVersion(msgspec.Struct, frozen=True, kw_only=True):
    calendar_id: str
    version: int
    day: CalendarDay
    # the correction's log position: the re-timer (a reactor) re-times the open deadlines it
    # moves after it; GET /api/v1/projections shows when the re-timer has passed it
    position: int


class Municipality(msgspec.Struct, frozen=True, kw_only=True):
    code: str | None  # None: the deployment's default municipality when it has no code
    timezone: str
    utc_offset: str  # now, e.g. "+05:00"
    default: bool
