"""Time helpers: the domain never reads the clock, it is handed ``now``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from domain.shared.errors import InvalidCommand

# Business times may be given by the client (a letter received yesterday), but not from the future.
ALLOWED_CLOCK_SKEW_SECONDS = 300


class Clock(Protocol):
    def __call__(self) -> datetime: ...


def require_aware(moment: datetime, what: str) -> datetime:
    """Return ``moment`` in UTC; naive datetimes are refused because their meaning is ambiguous."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidCommand(f"{what} must carry a time zone offset (ISO 8601 with Z or +03:00)")
    return moment.astimezone(UTC)
