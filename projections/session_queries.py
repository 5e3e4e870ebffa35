"""Reads of the МЦУ's views: tasks per unit (open, overdue, done), a session's execution report,
the lists of sessions, polls and publications, and the tasks the watcher must breach."""

from __future__ import annotations

import builtins
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec
from psycopg_pool import ConnectionPool

from projections.engine.model import reading
from projections.sessions import SessionsProjection


class TaskRow(msgspec.Struct, frozen=True, kw_only=True):
    task_id: UUID
    session_id: UUID
    item: int
    text: str
    unit_id: str | None
    person_id: str | None
    due: date
    due_at: datetime
    status: str
    set_at: datetime
    reported_at: datetime | None
    done_at: datetime | None
    breaches: int
    escalated_to: str | None
    extensions: int
    hot_topic: str | None
    version: int
    overdue: bool = False


class UnitTasks(msgspec.Struct, frozen=True, kw_only=True):
    unit_id: str | None
    open: int
    overdue: int
    done: int
    done_late: int


class ItemReport(msgspec.Struct, frozen=True, kw_only=True):
    item: int
    tasks: int
    done: int
    done_on_time: int
    overdue: int
    open: int


class ExecutionReport(msgspec.Struct, frozen=True, kw_only=True):
    session_id: UUID
    as_of: datetime
    tasks: int
    done: int
    done_on_time: int
    overdue: int
    open: int
    items: builtins.list[ItemReport]
    late: builtins.list[TaskRow]


class SessionRow(msgspec.Struct, frozen=True, kw_only=True):
    session_id: UUID
    held_on: date
    format: str
    stage: str
    chair: str | None
    items: int
    adopted: int
    rejected: int
    taking_part: int
    members: int
    protocol_number: str | None
    version: int


_TASK = [f for f in TaskRow.__struct_fields__ if f != "overdue"]
_SESSION = list(SessionRow.__struct_fields__)
NAME = SessionsProjection.name


def _task(row: tuple[Any, ...], now: datetime) -> TaskRow:
    values = dict(zip(_TASK, row, strict=True))
    overdue = values["status"] == "open" and values["due_at"] < now
    return TaskRow(**values, overdue=overdue)


class SessionQueries:
    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def sessions(self, *, since: date | None = None, limit: int = 100) -> builtins.list[SessionRow]:
        query = f"SELECT {', '.join(_SESSION)} FROM mcu_sessions"
        query += " WHERE held_on >= %(since)s" if since else ""
        query += " ORDER BY held_on DESC, session_id LIMIT %(limit)s"
        with reading(self.pool, NAME) as conn:
            rows = conn.execute(query, {"since": since, "limit": limit}).fetchall()
        return [SessionRow(**dict(zip(_SESSION, r, strict=True))) for r in rows]

    def tasks(
        self,
        now: datetime,
        *,
        unit_id: str | None = None,
        session_id: UUID | None = None,
        status: str | None = None,
        limit: int = 500,
    ) -> builtins.list[TaskRow]:
        """Tasks, soonest due first; ``status``: open, overdue, reported or done."""
        clauses, params = ["TRUE"], {"now": now, "limit": limit}
        if unit_id is not None:
            clauses.append("unit_id = %(unit)s")
            params["unit"] = unit_id
        if session_id is not None:
            clauses.append("session_id = %(session)s")
            params["session"] = session_id
        if status == "overdue":
            clauses.append("status = 'open' AND due_at < %(now)s")
        elif status is not None:
            clauses.append("status = %(status)s")
            params["status"] = status
        query = (
            f"SELECT {', '.join(_TASK)} FROM mcu_tasks WHERE {' AND '.join(clauses)}"
            " ORDER BY due_at, task_id LIMIT %(limit)s"
        )
        with reading(self.pool, NAME) as conn:
            rows = conn.execute(query, params).fetchall()
        return [_task(r, now) for r in rows]

    def by_unit(self, now: datetime) -> builtins.list[UnitTasks]:
        """Open, overdue and done tasks per unit (done late: accepted after the deadline)."""
        with reading(self.pool, NAME) as conn:
            rows = conn.execute(
                """
                SELECT unit_id,
                       count(*) FILTER (WHERE status <> 'done'),
                       count(*) FILTER (WHERE status = 'open' AND due_at < %(now)s),
                       count(*) FILTER (WHERE status = 'done'),
                       count(*) FILTER (WHERE status = 'done' AND done_at > due_at)
                FROM mcu_tasks GROUP BY unit_id ORDER BY unit_id NULLS LAST
                """,
                {"now": now},
            ).fetchall()
        return [
            UnitTasks(unit_id=r[0], open=r[1], overdue=r[2], done=r[3], done_late=r[4])
            for r in rows
        ]

    def report(self, session_id: UUID, now: datetime) -> ExecutionReport:
        """How the session's decisions are carried out: per item and in all, with the late."""
        found = self.tasks(now, session_id=session_id, limit=10_000)
        items: dict[int, builtins.list[TaskRow]] = {}
        for task in found:
            items.setdefault(task.item, []).append(task)

        def counts(rows: builtins.list[TaskRow]) -> dict[str, int]:
            done = [t for t in rows if t.status == "done"]
            return {
                "tasks": len(rows),
                "done": len(done),
                "done_on_time": sum(1 for t in done if t.done_at and t.done_at <= t.due_at),
                "overdue": sum(1 for t in rows if t.overdue),
                "open": len(rows) - len(done),
            }

        return ExecutionReport(
            session_id=session_id,
            as_of=now,
            items=[ItemReport(item=i, **counts(rows)) for i, rows in sorted(items.items())],
            late=[t for t in found if t.overdue or (t.done_at and t.done_at > t.due_at)],
            **counts(found),
        )

    def polls(
        self, *, hot_topic: str | None = None, limit: int = 100
    ) -> builtins.list[dict[str, Any]]:
        query = "SELECT poll_id, platform, title, area, period_from, period_to, hot_topic, answers"
        query += " FROM mcu_polls" + (" WHERE hot_topic = %(topic)s" if hot_topic else "")
        query += " ORDER BY period_to DESC, poll_id LIMIT %(limit)s"
        with reading(self.pool, NAME) as conn:
            cur = conn.execute(query, {"topic": hot_topic, "limit": limit})
            names = [c.name for c in cur.description or ()]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def publications(
        self,
        *,
        hot_topic: str | None = None,
        claim_id: UUID | None = None,
        session_id: UUID | None = None,
        limit: int = 100,
    ) -> builtins.list[dict[str, Any]]:
        """Publications with their latest reach: of a hot topic, of a claim (its refutations, for
        the misinformation report), of a session (its protocol and decisions)."""
        wheres = [
            clause
            for clause, given in (
                ("hot_topic = %(topic)s", hot_topic),
                ("claim_id = %(claim)s", claim_id),
                ("session_id = %(session)s", session_id),
            )
            if given is not None
        ]
        query = (
            "SELECT publication_id, kind, channel, url, title, published_at, hot_topic,"
            " session_id, claim_id, reach, views, measured_at FROM mcu_publications"
        )
        query += " WHERE " + " AND ".join(wheres) if wheres else ""
        query += " ORDER BY published_at DESC, publication_id LIMIT %(limit)s"
        params = {"topic": hot_topic, "claim": claim_id, "session": session_id, "limit": limit}
        with reading(self.pool, NAME) as conn:
            cur = conn.execute(query, params)
            names = [c.name for c in cur.description or ()]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def task_breach_candidates(pool: ConnectionPool, now: datetime) -> builtins.list[UUID]:
    """Open tasks past their deadline whose breach of that deadline is not yet recorded."""
    with reading(pool, NAME) as conn:
        rows = conn.execute(
            """
            SELECT task_id FROM mcu_tasks
            WHERE status = 'open' AND due_at < %(now)s
              AND (last_breached_due IS NULL OR last_breached_due <> due_at)
            ORDER BY due_at LIMIT 1000
            """,
            {"now": now},
        ).fetchall()
    return [r[0] for r in rows]
