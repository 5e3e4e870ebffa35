"""The retention schedule as data: per kind of appeal, how many years its personal data is kept
after the case is closed, and the archival rule each period rests on.

Archival practice counts a storage period from the 1st of January of the year after the case was
closed (the "end of record-keeping" of the case file), so an appeal closed on 3 March 2026 with
five years expires on 1 January 2032, as does one closed on 30 December 2026.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from domain.appeals.vocabulary import Kind


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """One kind's period: ``years`` whole years from the 1st of January after closing."""

    kind: Kind
    years: int
    basis: str  # the archival rule (article of the list of typical documents) it rests on

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
        return date(closed_on.year + 1 + self.rule(kind).years, 1, 1)

    def closed_before(self, kind: Kind, today: date) -> date:
        """Cases of ``kind`` closed before this day have expired by ``today`` (the inverse of
        ``expires_on``: closed in a year ≤ today.year - 1 - years)."""
        return date(today.year - self.rule(kind).years, 1, 1)
