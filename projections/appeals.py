"""The appeal list and current state: one row per appeal with its state (the domain's own fold)
and the columns that lists filter on. No personal data: the state holds none."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from psycopg_pool import ConnectionPool

from domain.appeals.state import AppealState
from projections.appeal_states import fold_batch
from projections.cursors import cursor_time, cursor_uuid, pack_cursor, unpack_cursor
from projections.engine.model import Batch, reading, view_position

_STATE_DECODER = msgspec.json.Decoder(AppealState)


class AppealSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One line of the appeal list: what a worklist shows and filters on. The full state of one
    appeal is folded from its events (always current); the list comes from this view."""

    id: UUID
    version: int
    kind: str
    channel: str
    status: str
    registration_number: str | None
    topic: str | None
    subtopic: str | None
    department: str | None
    executor: str | None
    sector: str | None
    received_at: datetime
    register_due: datetime
    answer_due: datetime | None
    forward_due: datetime | None
    first_reaction_due: datetime | None
    first_reaction_at: datetime | None
    first_answered_at: datetime | None
    closed_at: datetime | None
    outcome: str | None
    extensions: int
    rework_count: int
    reopen_count: int
    satisfaction_score: int | None
    breached: list[str]  # deadlines whose breach is recorded for their current due date
    registered_at: datetime | None
    municipality: str | None  # None: the deployment's default municipality
    is_repeat: bool  # linked as a repeat of an earlier appeal
    # issue 14: the notice a 59-ФЗ ст. 11 decision owes, its term and when it was given
    notice_due: datetime | None
    notice_given_at: datetime | None
    article11_part: str | None  # the part of ст. 11 the appeal was decided under
    # when first routed (assigned, copies sent: ст.8 ч.4, or a ст. 11 decision): the forward term
    routed_at: datetime | None
    topic_code: str | None  # issue 15: the rubricator's code (None: categorised before it)
    # issue 17: the citizen's own last score, and the score the citizen's is preferred in
    citizen_score: int | None
    preferred_score: int | None


_FIELDS = AppealSummary.__struct_fields__
_COLUMNS = ("appeal_id", "position", *_FIELDS[1:])


class AppealsProjection:
    """Folds every appeal event with the domain's own ``evolve`` and keeps one summary row per
    appeal (the fold's state is kept in memory between batches, not in the table)."""

    name = "appeals"
    # v2: forward and first-reaction deadlines, first reaction, recorded breaches; v3: registered
    # at, municipality, repeat (what the ratings count); v4: times an old event put beyond what
    # can be read back are kept at the edge (a v3 build may hold rows no list can read); v5: the
    # ст. 11 notice's term and when it was given (the watcher breaches an unmet one), when routed
    # v6: the rubricator's code (the most specific one given) for hot topics and summaries
    # v7: the citizen's own score and the preferred one (issue 17: what methodologies count)
    version = 7
    topics = None  # every appeal event changes the state
    tables = ("appeals",)
    ddl = """
        CREATE TABLE {appeals} (
            appeal_id uuid PRIMARY KEY,
            position bigint NOT NULL,  -- the log position of the appeal's last event
            version integer NOT NULL,
            kind text NOT NULL,
            channel text NOT NULL,
            status text NOT NULL,
            registration_number text,
            topic text,
            subtopic text,
            department text,
            executor text,
            sector text,
            received_at timestamptz NOT NULL,
            register_due timestamptz NOT NULL,
            answer_due timestamptz,
            forward_due timestamptz,
            first_reaction_due timestamptz,
            first_reaction_at timestamptz,
            first_answered_at timestamptz,
            closed_at timestamptz,
            outcome text,
            extensions integer NOT NULL,
            rework_count integer NOT NULL,
            reopen_count integer NOT NULL,
            satisfaction_score integer,
            breached text[] NOT NULL,
            registered_at timestamptz,
            municipality text,
            is_repeat boolean NOT NULL,
            notice_due timestamptz,
            notice_given_at timestamptz,
            article11_part text,
            routed_at timestamptz,
            topic_code text,
            citizen_score integer,
            preferred_score integer
        );
    """
    indexes = """
        CREATE INDEX IF NOT EXISTS {appeals}_received ON {appeals}
            (received_at DESC, appeal_id DESC);
        CREATE INDEX IF NOT EXISTS {appeals}_status ON {appeals} (status, received_at DESC);
        CREATE INDEX IF NOT EXISTS {appeals}_department ON {appeals}
            (department, received_at DESC);
        CREATE INDEX IF NOT EXISTS {appeals}_registration ON {appeals} (registration_number);
        CREATE INDEX IF NOT EXISTS {appeals}_open_answer ON {appeals} (answer_due)
            WHERE closed_at IS NULL AND first_answered_at IS NULL;
        CREATE INDEX IF NOT EXISTS {appeals}_answered ON {appeals} (first_answered_at)
            WHERE first_answered_at IS NOT NULL;
    """

    def apply(self, batch: Batch) -> None:
        touched = fold_batch(batch)
        if touched:
            batch.upsert("appeals", _COLUMNS, map(_row, touched.values()), key=("appeal_id",))


def _row(entry: tuple[AppealState, int]) -> tuple[Any, ...]:
    """The appeal's row (the upsert keeps its times readable back, ``storable.readable``: an old
    event's business time at the ends of the calendar, and the deadlines computed from it)."""
    state, position = entry
    return (
        state.id,
        position,
        state.version,
        state.kind,
        state.channel,
        state.status,
        state.registration_number,
        state.topic,
        state.subtopic,
        state.department,
        state.executor,
        state.sector,
        state.received_at,
        state.register_due,
        state.answer_due,
        state.forward_due,
        state.first_reaction_due,
        state.first_reaction_at,
        state.first_answered_at,
        state.closed_at,
        state.outcome,
        state.extensions,
        state.rework_count,
        state.reopen_count,
        state.satisfaction_score,
        breached(state),
        state.registered_at,
        state.municipality,
        state.repeat_of is not None,
        state.notice_due,
        state.notice_given_at,
        state.article11_part,
        state.routed_at,
        state.subtopic_code or state.topic_code,
        state.citizen_score,
        state.preferred_score,
    )


def breached(state: AppealState) -> list[str]:
    """The deadlines whose breach is recorded for the due date now in force."""
    current = {
        "register": state.register_due,
        "forward": state.forward_due,
        "first_reaction": state.first_reaction_due,
        "answer": state.answer_due,
        "notice": state.notice_due,
    }
    # a breach of another deadline (a request's reply, ст.10 ч.2) is the SLA view's to show
    return sorted({b.deadline.value for b in state.breaches if current.get(b.deadline) == b.due})


class AppealFilter(msgspec.Struct, frozen=True, kw_only=True):
    status: str | None = None
    kind: str | None = None
    channel: str | None = None
    department: str | None = None
    # other values the department was recorded under (its names before the directory: issue 15)
    department_names: tuple[str, ...] = ()
    topic: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None


class AppealPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[AppealSummary]
    next_cursor: str | None
    position: int  # the view's log position when the page was read (the rows are at least as new)


_SELECT = "SELECT " + ", ".join(("appeal_id", *_FIELDS[1:])) + " FROM appeals"


class AppealQueries:
    """Reads of the appeals view (which points at the active build), for the API."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def list(self, where: AppealFilter, *, limit: int, cursor: str | None) -> AppealPage:
        """Newest first, keyset-paginated on (received_at, appeal_id)."""
        clauses: list[str] = []
        params: list[Any] = []
        for column in ("status", "kind", "channel", "topic"):
            value = getattr(where, column)
            if value is not None:
                clauses.append(f"{column} = %s")
                params.append(value)
        if where.department is not None:
            clauses.append("department = ANY(%s)")
            params.append([where.department, *where.department_names])
        if where.received_from is not None:
            clauses.append("received_at >= %s")
            params.append(where.received_from)
        if where.received_to is not None:
            clauses.append("received_at < %s")
            params.append(where.received_to)
        if cursor is not None:
            received_at, appeal_id = decode_cursor(cursor)
            clauses.append("(received_at, appeal_id) < (%s, %s)")
            params.extend([received_at, appeal_id])
        query = _SELECT
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        query += " ORDER BY received_at DESC, appeal_id DESC LIMIT %s"
        params.append(limit + 1)
        with reading(self.pool, AppealsProjection.name) as conn:
            # the position first: the rows read after it are at least as new
            tracked = view_position(conn, AppealsProjection.name)
            rows = conn.execute(query, params).fetchall()
        more = len(rows) > limit
        items = [AppealSummary(**dict(zip(_FIELDS, row, strict=True))) for row in rows[:limit]]
        last = items[-1] if more and items else None
        return AppealPage(
            items=items,
            next_cursor=encode_cursor(last.received_at, last.id) if last else None,
            position=tracked or 0,
        )

    def breach_candidates(
        self, now: datetime, limit: int = 1000
    ) -> builtins.list[tuple[UUID, str]]:
        """Open appeals with a deadline past due, unmet, whose breach is not yet recorded."""
        query = """
            SELECT appeal_id, d.deadline FROM appeals a, LATERAL (VALUES
                ('register', a.register_due, a.registration_number IS NOT NULL),
                ('forward', a.forward_due, a.routed_at IS NOT NULL),
                ('first_reaction', a.first_reaction_due, a.first_reaction_at IS NOT NULL),
                ('answer', a.answer_due, a.first_answered_at IS NOT NULL),
                ('notice', a.notice_due, a.notice_given_at IS NOT NULL)
            ) AS d(deadline, due, met)
            WHERE a.closed_at IS NULL AND NOT d.met AND d.due < %(now)s
              AND NOT d.deadline = ANY(a.breached)
            ORDER BY d.due LIMIT %(limit)s
        """
        with reading(self.pool, AppealsProjection.name) as conn:
            rows = conn.execute(query, {"now": now, "limit": limit}).fetchall()
        return [(r[0], r[1]) for r in rows]


def encode_cursor(received_at: datetime, appeal_id: UUID) -> str:
    return pack_cursor(received_at.isoformat(), str(appeal_id))


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    received_at, appeal_id = unpack_cursor(cursor, 2)
    return cursor_time(received_at), cursor_uuid(appeal_id)
