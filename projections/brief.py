"""What the daily brief reads from the views: appeals received in a period counted by kind and
topic (the appeals view), and the open answer deadlines past due (the SLA view) with no more
than the registration number, the unit, the sector, the topic and the due time — never a
citizen's data or a free text."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec
from psycopg_pool import ConnectionPool

from domain.appeals.vocabulary import Deadline
from projections.appeals import AppealsProjection
from projections.engine.model import reading
from projections.sla import SlaProjection

OVERDUE_LIMIT = 5000  # a brief lists at most this many overdue appeals (the oldest first)


class TopicCount(msgspec.Struct, frozen=True, kw_only=True):
    kind: str  # call, appeal, message, incident
    topic: str  # as recorded: a rubricator code or a name ('—' when none)
    count: int


class OverdueAppeal(msgspec.Struct, frozen=True, kw_only=True):
    appeal_id: UUID
    registration_number: str | None
    department: str | None  # as recorded: a unit id, or a name from before the directory
    sector: str | None
    topic: str | None
    due: datetime


class BriefQueries:
    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def topics(self, start: datetime, end: datetime) -> list[TopicCount]:
        """Appeals received in [start, end) by kind and topic, the most frequent first."""
        query = (
            "SELECT kind, coalesce(topic_code, topic, '—'), count(*) FROM appeals"
            " WHERE received_at >= %(start)s AND received_at < %(end)s"
            " GROUP BY 1, 2 ORDER BY 3 DESC, 2"
        )
        with reading(self.pool, AppealsProjection.name) as conn:
            rows = conn.execute(query, {"start": start, "end": end}).fetchall()
        return [TopicCount(kind=r[0], topic=r[1], count=int(r[2])) for r in rows]

    def overdue(self, now: datetime) -> list[OverdueAppeal]:
        """Open appeals whose answer is past due at ``now``, the longest overdue first."""
        query = (
            "SELECT appeal_id, registration_number, department, sector, topic, due"
            " FROM sla_deadlines WHERE deadline = %(deadline)s AND met_at IS NULL"
            " AND NOT closed AND due < %(now)s ORDER BY due, appeal_id LIMIT %(limit)s"
        )
        params = {"deadline": Deadline.ANSWER.value, "now": now, "limit": OVERDUE_LIMIT}
        with reading(self.pool, SlaProjection.name) as conn:
            rows = conn.execute(query, params).fetchall()
        return [
            OverdueAppeal(
                appeal_id=r[0],
                registration_number=r[1],
                department=r[2],
                sector=r[3],
                topic=r[4],
                due=r[5],
            )
            for r in rows
        ]
