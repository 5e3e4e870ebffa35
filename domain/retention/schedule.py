"""The retention schedule as data: per kind of appeal, how many years its personal data is kept
after the case is closed, and the archival rule each period rests on.

Archival practice counts a storage period from the 1st of January of the year after the case was
closed (the "end of record-keeping" of the case file), so an appeal closed on 3 March 2026 with
five years expires on 1 January 2032, as does one closed on 30 December 2026. A schedule may count
from the day of closing instead (``counts_from = "closing"``): then it expires on 3 March 2031.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.appeals.vocabulary import Kind


class CountsFrom(StrEnum):
    NEXT_JANUARY = "next_january"  # the 1st of January after closing (archival practice)
    CLOSING = "closing"  # the day the case was closed


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """One kind's period: ``years`` whole years from the 1st of January after closing (or from
    the day of closing)."""

    kind: Kind
    years: int
    basis: str  # the archival rule (article of the list of typical documents) it rests on
    counts_from: CountsFrom = CountsFrom.NEXT_JANUARY

    def expires_on(self, closed_on: date) -> date:
        if self.counts_from is CountsFrom.CLOSING:
            return _years_after(closed_on, self.years)
        return date(closed_on.year + 1 + self.years, 1, 1)

    def closed_before(self, today: date) -> date:
        """Cases closed before this day have expired by ``today``."""
        if self.counts_from is CountsFrom.CLOSING:
            return _first_unexpired(today, self.years)
        return date(today.year - self.years, 1, 1)

    def __post_init__(self) -> None:
        if not 1 <= self.years <= 75:
            raise ValueError(f"a retention period of {self.kind} must be 1..75 years")


@dataclass(frozen=True, slots=True)
class RetentionSchedule:
    """Every kind's rule; a kind with no rule of its own keeps its data for ``default``."""

    rules: Mapping[Kind, RetentionRule]
    default: RetentionRule

    def rule(self, kind: Kind) -> RetentionRule:
        return self.rules.get(kind, self.default)

    def expires_on(self, kind: Kind, closed_on: date) -> date:
        """The first day the personal data of a case of ``kind`` closed on ``closed_on`` is no
        longer kept."""
        return self.rule(kind).expires_on(closed_on)

    def closed_before(self, kind: Kind, today: date) -> date:
        """Cases of ``kind`` closed before this day have expired by ``today`` (the inverse of
        ``expires_on``)."""
        return self.rule(kind).closed_before(today)


_ONE_DAY = timedelta(days=1)


def _years_after(day: date, years: int) -> date:
    """The same day ``years`` later; the 29th of February becomes the 1st of March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def _first_unexpired(today: date, years: int) -> date:
    """The earliest closing day whose period of ``years`` has not ended by ``today``."""
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # the 29th of February in a year without one
        day = date(today.year - years, 2, 28)
    while _years_after(day, years) <= today:
        day += _ONE_DAY
    while _years_after(day - _ONE_DAY, years) > today:
        day -= _ONE_DAY
    return day
