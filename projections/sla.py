"""The SLA view: one row per deadline of every appeal — its due date in force, when its clock
started, when it was met, whether a breach is recorded — with the department, sector, kind and
channel to slice by. Whether a deadline is on track, at risk or overdue depends on the moment of
the question, so the queries decide it (the rows hold only facts from the events).
"""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from psycopg_pool import ConnectionPool

from domain.appeals.state import AppealState
from domain.appeals.vocabulary import Deadline
from projections.appeal_states import fold_batch
from projections.cursors import cursor_time, cursor_uuid, pack_cursor, unpack_cursor
from projections.engine.model import Batch, reading, view_position

_DEADLINES = frozenset(d.value for d in Deadline)
_COLUMNS = (
    "appeal_id",
    "deadline",
    "due",
    "started_at",
    "met_at",
    "closed",
    "breached",
    "registration_number",
    "kind",
    "channel",
    "topic",
    "department",
    "sector",
    "municipality",
)


def rows_of(state: AppealState) -> list[tuple[Any, ...]]:
    """The appeal's deadlines as rows (a deadline the appeal does not have is absent); the upsert
    keeps their times readable back (``storable.readable``: an old event's business time at the
    ends of the calendar, and the deadlines computed from it)."""
    breached = {(b.deadline, b.due) for b in state.breaches}
    registered = state.registered_at or state.received_at
    facts = [
        (Deadline.REGISTER, state.register_due, state.received_at, state.registered_at),
        # assignment, copies to the other competent bodies (ст.8 ч.4) or a ст. 11 decision
        # route the appeal; forwarding closes it
        (Deadline.FORWARD, state.forward_due, registered, state.routed_at),
        (
            Deadline.FIRST_REACTION,
            state.first_reaction_due,
            state.received_at,
            state.first_reaction_at,
        ),
        (Deadline.ANSWER, state.answer_due, registered, state.first_answered_at),
        # issue 14: the notice of a 59-ФЗ ст. 11 decision, counted from registration
        (Deadline.NOTICE, state.notice_due, registered, state.notice_given_at),
    ]
    reply = state.information_reply  # ст.10 ч.2: the other body's reply to our request
    if reply is not None:
        facts.append((Deadline.INFORMATION_REPLY, *reply))
    return [
        (
            state.id,
            deadline.value,
            due,
            started,
            met,
            state.is_closed,
            (deadline, due) in breached,
            state.registration_number,
            state.kind,
            state.channel,
            state.topic,
            state.department,
            state.sector,
            state.municipality,
        )
        for deadline, due, started, met in facts
        if due is not None
    ]


class SlaProjection:
    name = "sla"
    # v2: the open-deadline indexes cover the lists' whole sort order; v3: the municipality; v4:
    # times an old event put beyond what can be read back are kept at the edge (a v3 build may
    # hold rows the lists cannot read, first in their order); v5: the ст. 11 notice's term and
    # the information_reply deadline of requests for information (ст.10 ч.2 59-ФЗ), and copies to
    # the other competent bodies meet the forward term (ст.8 ч.4)
    version = 5
    topics = None  # any event can change a deadline, meet it, or route the appeal
    tables = ("sla_deadlines",)
    ddl = """
        CREATE TABLE {sla_deadlines} (
            appeal_id uuid NOT NULL,
            deadline text NOT NULL,
            due timestamptz NOT NULL,
            started_at timestamptz NOT NULL,
            met_at timestamptz,
            closed boolean NOT NULL,
            breached boolean NOT NULL,
            registration_number text,
            kind text NOT NULL,
            channel text NOT NULL,
            topic text,
            department text,
            sector text,
            municipality text,
            PRIMARY KEY (appeal_id, deadline)
        );
    """
    indexes = """
        CREATE INDEX IF NOT EXISTS {sla_deadlines}_open
            ON {sla_deadlines} (due, appeal_id, deadline) WHERE met_at IS NULL AND NOT closed;
        CREATE INDEX IF NOT EXISTS {sla_deadlines}_open_department
            ON {sla_deadlines} (department, due, appeal_id, deadline)
            WHERE met_at IS NULL AND NOT closed;
    """

    def apply(self, batch: Batch) -> None:
        rows = [row for state, _ in fold_batch(batch).values() for row in rows_of(state)]
        if rows:
            batch.upsert("sla_deadlines", _COLUMNS, rows, key=("appeal_id", "deadline"))


class SlaFilter(msgspec.Struct, frozen=True, kw_only=True):
    department: str | None = None
    # other values the department was recorded under (its names before the directory: issue 15)
    department_names: tuple[str, ...] = ()
    sector: str | None = None
    kind: str | None = None
    channel: str | None = None
    deadline: str | None = None
    municipality: str | None = None


class SlaItem(msgspec.Struct, frozen=True, kw_only=True):
    appeal_id: UUID
    registration_number: str | None
    deadline: str
    due: datetime
    started_at: datetime
    breached: bool
    kind: str
    channel: str
    topic: str | None
    department: str | None
    sector: str | None
    municipality: str | None  # None: the deployment's default municipality


class SlaPage(msgspec.Struct, frozen=True, kw_only=True):
    items: builtins.list[SlaItem]
    next_cursor: str | None
    position: int


_ITEM_FIELDS = SlaItem.__struct_fields__
_SELECT = (
    "SELECT appeal_id, registration_number, deadline, due, started_at, breached, kind, channel,"
    " topic, department, sector, municipality FROM sla_deadlines"
)


class SlaQueries:
    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def overdue(
        self, where: SlaFilter, *, now: datetime, limit: int, cursor: str | None
    ) -> SlaPage:
        """Open deadlines past due, the longest overdue first."""
        return self._page(where, "due < %(now)s", now, None, limit, cursor)

    def at_risk(
        self, where: SlaFilter, *, now: datetime, share: float, limit: int, cursor: str | None
    ) -> SlaPage:
        """Open deadlines not yet due with less than ``share`` of their time left, soonest first."""
        condition = "due >= %(now)s AND (due - %(now)s) < (due - started_at) * %(share)s"
        return self._page(where, condition, now, share, limit, cursor)

    def _page(
        self,
        where: SlaFilter,
        condition: str,
        now: datetime,
        share: float | None,
        limit: int,
        cursor: str | None,
    ) -> SlaPage:
        clauses = ["met_at IS NULL", "NOT closed", condition]
        params: dict[str, Any] = {"now": now, "share": share, "limit": limit + 1}
        for column in ("sector", "kind", "channel", "deadline", "municipality"):
            value = getattr(where, column)
            if value is not None:
                clauses.append(f"{column} = %({column})s")
                params[column] = value
        if where.department is not None:
            clauses.append("department = ANY(%(department)s)")
            params["department"] = [where.department, *where.department_names]
        if cursor is not None:
            due, appeal_id, deadline = _decode_cursor(cursor)
            clauses.append("(due, appeal_id, deadline) > (%(c_due)s, %(c_id)s, %(c_deadline)s)")
            params.update(c_due=due, c_id=appeal_id, c_deadline=deadline)
        query = (
            f"{_SELECT} WHERE {' AND '.join(clauses)}"
            " ORDER BY due, appeal_id, deadline LIMIT %(limit)s"
        )
        with reading(self.pool, SlaProjection.name) as conn:
            tracked = view_position(conn, SlaProjection.name)
            rows = conn.execute(query, params).fetchall()
        more = len(rows) > limit
        items = [SlaItem(**dict(zip(_ITEM_FIELDS, r, strict=True))) for r in rows[:limit]]
        last = items[-1] if more and items else None
        return SlaPage(
            items=items,
            next_cursor=_encode_cursor(last) if last else None,
            position=tracked or 0,
        )


def reply_breach_candidates(
    pool: ConnectionPool, now: datetime, limit: int = 1000
) -> builtins.list[tuple[UUID, str]]:
    """Open appeals whose request for information (ст.10 ч.2) is past its term unanswered, the
    breach not yet recorded: the deadline watcher's candidates the appeals view has no column
    for (this view keeps every deadline as a row)."""
    query = (
        "SELECT appeal_id, deadline FROM sla_deadlines WHERE deadline = %(deadline)s"
        " AND met_at IS NULL AND NOT closed AND NOT breached AND due < %(now)s"
        " ORDER BY due LIMIT %(limit)s"
    )
    params = {"deadline": Deadline.INFORMATION_REPLY.value, "now": now, "limit": limit}
    with reading(pool, SlaProjection.name) as conn:
        rows = conn.execute(query, params).fetchall()
    return [(r[0], r[1]) for r in rows]


def _encode_cursor(item: SlaItem) -> str:
    return pack_cursor(item.due.isoformat(), str(item.appeal_id), item.deadline)


def _decode_cursor(cursor: str) -> tuple[datetime, UUID, str]:
    """The cursor's due date, appeal and deadline (one of ``Deadline``); ValueError for a cursor
    the API did not write (``cursors.unpack_cursor``)."""
    due, appeal_id, deadline = unpack_cursor(cursor, 3)
    if deadline not in _DEADLINES:
        raise ValueError("the cursor is not one this API returned")
    return cursor_time(due), cursor_uuid(appeal_id), deadline
