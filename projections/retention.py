"""What the retention schedule finds in the appeals view: closed appeals whose period has ended by
a day, and those whose period ends within a month (the report the administrator signs off)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from psycopg_pool import ConnectionPool

from domain.appeals.vocabulary import Kind
from domain.retention.schedule import RetentionSchedule
from projections.engine.model import reading

_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Closed:
    """A closed appeal as retention sees it: no citizen's data, only what the report shows."""

    appeal_id: UUID
    registration_number: str | None
    kind: Kind
    department: str | None
    closed_on: date
    expires_on: date


def expired(
    pool: ConnectionPool, schedule: RetentionSchedule, today: date, zone: str
) -> list[Closed]:
    """Closed appeals whose retention period has ended by ``today``, oldest first (erased ones
    too: the view keeps no personal data, so it cannot tell; the caller asks the key store)."""
    found: list[Closed] = []
    for kind in Kind:
        found += _closed(pool, schedule, kind, zone, None, schedule.closed_before(kind, today))
    return sorted(found, key=lambda c: (c.closed_on, str(c.appeal_id)))


def expiring(
    pool: ConnectionPool, schedule: RetentionSchedule, start: date, end: date, zone: str
) -> list[Closed]:
    """Closed appeals whose period ends on a day in [``start``, ``end``)."""
    found: list[Closed] = []
    for kind in Kind:
        # expires_on is monotone in the closing day, and expires_on(c) <= d exactly when
        # c < closed_before(d): the closings that expire on a day in [start, end)
        low = schedule.closed_before(kind, start - _DAY)
        high = schedule.closed_before(kind, end - _DAY)
        if low < high:
            found += _closed(pool, schedule, kind, zone, low, high)
    return sorted(found, key=lambda c: (c.expires_on, c.registration_number or ""))


def _closed(
    pool: ConnectionPool,
    schedule: RetentionSchedule,
    kind: Kind,
    zone: str,
    low: date | None,
    high: date,
) -> list[Closed]:
    tz = ZoneInfo(zone)
    query = (
        "SELECT appeal_id, registration_number, department, closed_at FROM appeals"
        " WHERE kind = %(kind)s AND closed_at IS NOT NULL AND closed_at < %(high)s"
        + (" AND closed_at >= %(low)s" if low is not None else "")
        + " ORDER BY closed_at, appeal_id"
    )
    params = {
        "kind": kind.value,
        "high": _midnight(high, tz),
        "low": _midnight(low, tz) if low is not None else None,
    }
    with reading(pool, "appeals") as conn:
        rows = conn.execute(query, params).fetchall()
    result = []
    for appeal_id, number, department, closed_at in rows:
        closed_on = closed_at.astimezone(tz).date()
        result.append(
            Closed(
                appeal_id=appeal_id,
                registration_number=number,
                kind=kind,
                department=department,
                closed_on=closed_on,
                expires_on=schedule.expires_on(kind, closed_on),
            )
        )
    return result


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def next_month(today: date) -> tuple[date, date]:
    """The first day of the month after ``today``'s and of the one after it."""
    first = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    return first, date(first.year + (first.month == 12), first.month % 12 + 1, 1)
