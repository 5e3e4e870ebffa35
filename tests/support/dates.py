"""Real dates for the tests of the law's terms: Moscow local times and the end of a Moscow day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def msk(day: str, hour: int = 10) -> datetime:
    """A Moscow local time (UTC+3) as UTC: ``msk("29.12.2025")`` is 10:00 that day."""
    d, m, y = (int(p) for p in day.split("."))
    return datetime(y, m, d, tzinfo=UTC) + timedelta(hours=hour - 3)


def end_of(day: str) -> datetime:
    """The end of a Moscow day (24:00 local), as a deadline in days is stored."""
    return msk(day, 0) + timedelta(days=1)


def bundled_methodology_in_force(month: str) -> str:
    """The label of the bundled methodology in force for ``month`` (YYYY-MM): infra/methodologies'
    v1 until 2026-12, v2 (the citizen's own scores preferred, issue 17) from 2027-01."""
    return "v1/1" if month < "2027-01" else "v2/1"
