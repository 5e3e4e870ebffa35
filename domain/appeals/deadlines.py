"""Placeholder deadline policy: the default federal terms, computed by one function.

A deadline is computed, never typed in: anchor + duration, counted in calendar days from the day
after the anchor, ending at local midnight after the due day, rolled off weekends. The SLA work
replaces this with versioned policies over the Russian production calendar; every deadline already
records which policy computed it (``deadline_policy``) so that history stays explainable.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec

from domain.appeals.vocabulary import Deadline, Kind

POLICY_ID = "placeholder-2026.1"

# Legal cap on extensions of the answer deadline, in days, in all (59-ФЗ ст. 12 ч. 2).
MAX_EXTENSION_DAYS = 30


class DeadlinePolicy(msgspec.Struct, frozen=True, kw_only=True):
    """The terms per kind; ``timezone`` is the municipality's (working hours are local)."""

    timezone: str = "Europe/Moscow"
    register_days: dict[Kind, int] = msgspec.field(
        default_factory=lambda: {Kind.APPEAL: 3, Kind.MESSAGE: 1, Kind.INCIDENT: 1, Kind.CALL: 1}
    )
    answer_days: dict[Kind, int] = msgspec.field(
        default_factory=lambda: {Kind.APPEAL: 30, Kind.MESSAGE: 10, Kind.INCIDENT: 7, Kind.CALL: 10}
    )
    forward_days: int = 7  # appeals only: forward to the competent body within 7 days
    first_reaction_hours: int = 8  # incidents: first public reaction
    # Kinds whose clock may stop while waiting for the citizen's clarification (59-ФЗ has no pause).
    pausable: frozenset[Kind] = frozenset({Kind.MESSAGE, Kind.INCIDENT, Kind.CALL})
    # Kinds whose answer deadline may be extended only once (ПОС messages).
    single_extension: frozenset[Kind] = frozenset({Kind.MESSAGE})
    policy_id: str = POLICY_ID

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def days_after(self, anchor: datetime, days: int) -> datetime:
        """End of the ``days``-th calendar day after the anchor's local day, off weekends."""
        due_day = anchor.astimezone(self.zone).date() + timedelta(days=days)
        while due_day.weekday() >= 5:  # a deadline on a day off moves to the next working day
            due_day += timedelta(days=1)
        end = datetime.combine(due_day + timedelta(days=1), time(0), tzinfo=self.zone)
        return end.astimezone(UTC)

    def register_due(self, kind: Kind, received_at: datetime) -> datetime:
        return self.days_after(received_at, self.register_days[kind])

    def answer_due(self, kind: Kind, registered_at: datetime) -> datetime:
        return self.days_after(registered_at, self.answer_days[kind])

    def forward_due(self, kind: Kind, registered_at: datetime) -> datetime | None:
        return self.days_after(registered_at, self.forward_days) if kind is Kind.APPEAL else None

    def first_reaction_due(self, kind: Kind, received_at: datetime) -> datetime | None:
        if kind is not Kind.INCIDENT:
            return None
        return (received_at + timedelta(hours=self.first_reaction_hours)).astimezone(UTC)

    def extended(self, due: datetime, days: int) -> datetime:
        """The due date moved by ``days`` calendar days, rolled off weekends."""
        return self.days_after(due - timedelta(microseconds=1), days)

    def resumed(self, due: datetime, paused: timedelta) -> datetime:
        """A pause moves the deadline by the paused time, never earlier."""
        return (due + max(paused, timedelta(0))).astimezone(UTC)


DEADLINE_NAMES = tuple(Deadline)
