"""The response norms: how soon a claim must get a verdict and a published refutation, counted
from its detection with the SLA machinery's production calendar (working hours are local); an
urgent claim — flagged so, or with a large reach — gets shorter terms counted round the clock,
because a fake spreads on weekends too. Defaults as data; a region publishes its own."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import msgspec

from domain.sla.calendar import ProductionCalendar


class NormUnit(StrEnum):
    WORKING_HOURS = "working_hours"
    HOURS = "hours"  # round the clock


class Term(msgspec.Struct, frozen=True, kw_only=True):
    amount: int
    unit: NormUnit


class ClaimNorms(msgspec.Struct, frozen=True, kw_only=True):
    id: str = "misinformation"
    version: int = 1
    urgent_reach: int = 10_000  # audience at which a claim is urgent
    verdict: Term = Term(amount=8, unit=NormUnit.WORKING_HOURS)
    refutation: Term = Term(amount=16, unit=NormUnit.WORKING_HOURS)
    urgent_verdict: Term = Term(amount=2, unit=NormUnit.HOURS)
    urgent_refutation: Term = Term(amount=6, unit=NormUnit.HOURS)

    def is_urgent(self, reach: int, flagged: bool) -> bool:
        return flagged or reach >= self.urgent_reach

    def dues(
        self,
        detected_at: datetime,
        *,
        urgent: bool,
        calendar: ProductionCalendar,
        timezone: str,
    ) -> tuple[datetime, datetime]:
        """(verdict due, refutation due) for a claim detected at ``detected_at``."""
        verdict, refutation = (
            (self.urgent_verdict, self.urgent_refutation)
            if urgent
            else (self.verdict, self.refutation)
        )
        local = detected_at.astimezone(ZoneInfo(timezone))
        return _add(local, verdict, calendar), _add(local, refutation, calendar)

    def label(self, calendar: ProductionCalendar, timezone: str) -> str:
        return f"{self.id}/{self.version}; {calendar.id}/{calendar.version}; {timezone}"


def _add(start: datetime, term: Term, calendar: ProductionCalendar) -> datetime:
    if term.unit is NormUnit.HOURS:
        return (start + timedelta(hours=term.amount)).astimezone(ZoneInfo("UTC"))
    return calendar.add_working_time(start, timedelta(hours=term.amount)).astimezone(
        ZoneInfo("UTC")
    )


DEFAULT_NORMS = ClaimNorms()
