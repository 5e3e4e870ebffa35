"""The appeal list and current state: one row per appeal with its state (the domain's own fold)
and the columns that lists filter on. No personal data: the state holds none."""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from domain.appeals.events import AppealEvent
from domain.appeals.state import AppealState, evolve
from projections.engine.model import Batch, ProjectionNotReady

_STATE_ENCODER = msgspec.json.Encoder()
_STATE_DECODER = msgspec.json.Decoder(AppealState)
CACHE_LIMIT = 200_000  # appeals' states kept in memory between batches (a rebuild's working set)

_COLUMNS = (
    "appeal_id",
    "version",
    "position",
    "kind",
    "channel",
    "status",
    "registration_number",
    "topic",
    "department",
    "executor",
    "sector",
    "received_at",
    "answer_due",
    "closed_at",
    "state",
)


class AppealsProjection:
    """Folds every appeal event with the domain's own ``evolve`` and keeps one row per appeal."""

    name = "appeals"
    version = 1
    topics = None  # every appeal event changes the state
    tables = ("appeals",)
    ddl = """
        CREATE TABLE {appeals} (
            appeal_id uuid PRIMARY KEY,
            version integer NOT NULL,
            position bigint NOT NULL,
            kind text NOT NULL,
            channel text NOT NULL,
            status text NOT NULL,
            registration_number text,
            topic text,
            department text,
            executor text,
            sector text,
            received_at timestamptz NOT NULL,
            answer_due timestamptz,
            closed_at timestamptz,
            state text NOT NULL  -- the AppealState as JSON, served as it is (text: no re-parse)
        ) WITH (toast_tuple_target = 8160);  -- states (~2 KB) stay inline and uncompressed
        CREATE INDEX {appeals}_received ON {appeals} (received_at DESC, appeal_id DESC);
        CREATE INDEX {appeals}_status ON {appeals} (status, received_at DESC);
        CREATE INDEX {appeals}_department ON {appeals} (department, received_at DESC);
        CREATE INDEX {appeals}_registration ON {appeals} (registration_number);
    """

    def apply(self, batch: Batch) -> None:
        cache: dict[UUID, tuple[AppealState, int]] = batch.cache
        events = [e for e in batch.events if isinstance(e.event, AppealEvent)]
        missing = list({e.event.originator_id for e in events} - cache.keys())
        if missing:
            rows = batch.conn.execute(
                sql.SQL(
                    "SELECT appeal_id, position, state::text FROM {} WHERE appeal_id = ANY(%s)"
                ).format(batch.table("appeals")),
                (missing,),
            ).fetchall()
            for appeal_id, position, state in rows:
                cache[appeal_id] = (_STATE_DECODER.decode(state), position)
        touched: dict[UUID, tuple[AppealState, int]] = {}
        for item in events:
            event = item.event
            appeal_id = event.originator_id
            known = cache.get(appeal_id)
            if known is not None and item.position <= known[1]:
                continue  # already in the view
            entry = (evolve(known[0] if known else None, event), item.position)
            cache[appeal_id] = touched[appeal_id] = entry
        if touched:
            batch.upsert("appeals", _COLUMNS, map(_row, touched.values()), key=("appeal_id",))
        if len(cache) > CACHE_LIMIT:
            for appeal_id in list(cache)[: len(cache) - CACHE_LIMIT // 2]:
                del cache[appeal_id]


def _row(entry: tuple[AppealState, int]) -> tuple[Any, ...]:
    state, position = entry
    return (
        state.id,
        state.version,
        position,
        state.kind,
        state.channel,
        state.status,
        state.registration_number,
        state.topic,
        state.department,
        state.executor,
        state.sector,
        state.received_at,
        state.answer_due,
        state.closed_at,
        _STATE_ENCODER.encode(state).decode(),  # JSON text
    )


class AppealFilter(msgspec.Struct, frozen=True, kw_only=True):
    status: str | None = None
    kind: str | None = None
    channel: str | None = None
    department: str | None = None
    topic: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None


class AppealPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[msgspec.Raw]
    next_cursor: str | None
    position: int  # the view's log position when the page was read (the rows are at least as new)


class AppealQueries:
    """Reads of the appeals view (which points at the active build), for the API."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def get(self, appeal_id: UUID) -> tuple[bytes, int] | None:
        """The appeal's state as stored JSON, and its version; None when not in the view."""
        with self._reading() as conn:
            row = conn.execute(
                "SELECT state::text, version FROM appeals WHERE appeal_id = %s",
                (appeal_id,),
                prepare=True,
            ).fetchone()
        return (row[0].encode(), int(row[1])) if row else None

    def list(self, where: AppealFilter, *, limit: int, cursor: str | None) -> AppealPage:
        """Newest first, keyset-paginated on (received_at, appeal_id)."""
        clauses: list[str] = []
        params: list[Any] = []
        for column in ("status", "kind", "channel", "department", "topic"):
            value = getattr(where, column)
            if value is not None:
                clauses.append(f"{column} = %s")
                params.append(value)
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
        query = "SELECT state::text, received_at, appeal_id FROM appeals"
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        query += " ORDER BY received_at DESC, appeal_id DESC LIMIT %s"
        params.append(limit + 1)
        with self._reading() as conn:
            # the position first: the rows read after it are at least as new
            tracked = conn.execute(
                "SELECT position FROM projection_builds WHERE name = 'appeals' AND active"
            ).fetchone()
            rows = conn.execute(query, params).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1][1], rows[-1][2]) if more and rows else None
        return AppealPage(
            items=[msgspec.Raw(r[0].encode()) for r in rows],
            next_cursor=next_cursor,
            position=int(tracked[0]) if tracked else 0,
        )

    @contextlib.contextmanager
    def _reading(self) -> Iterator[psycopg.Connection[Any]]:
        try:
            with self.pool.connection() as conn:
                yield conn
        except psycopg.errors.UndefinedTable:
            raise ProjectionNotReady(AppealsProjection.name) from None


def encode_cursor(received_at: datetime, appeal_id: UUID) -> str:
    raw = f"{received_at.isoformat()}|{appeal_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, appeal_id = raw.partition("|")
        return datetime.fromisoformat(moment), UUID(appeal_id)
    except ValueError:
        raise ValueError("the cursor is not one this API returned") from None
