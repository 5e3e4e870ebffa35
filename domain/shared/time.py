"""Time helpers: the domain never reads the clock, it is handed ``now``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from domain.shared.errors import InvalidCommand

# Business times may be given by the client (a letter received yesterday), but not from the future.
ALLOWED_CLOCK_SKEW = timedelta(minutes=5)


class Clock(Protocol):
    def __call__(self) -> datetime: ...


def require_aware(moment: datetime, what: str) -> datetime:
    """Return ``moment`` in UTC; naive datetimes are refused because their meaning is ambiguous."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidCommand(f"{what} must carry a time zone offset (ISO 8601 with Z or +03:00)")
    return moment.astimezone(UTC)


def business_time(
    given: datetime | None, now: datetime, *, not_before: datetime | None, what: str
) -> datetime:
    """An act's business time: given (a letter received yesterday) or now; never in the future
    beyond the clocks' skew, never before the stream began (``what`` names its start)."""
    if given is None:
        return now
    moment = require_aware(given, "occurred_at")
    if moment > now + ALLOWED_CLOCK_SKEW:
        raise InvalidCommand("occurred_at cannot be in the future")
    if not_before is not None and moment < not_before:
        raise InvalidCommand(f"occurred_at cannot be earlier than {what}")
    return moment
