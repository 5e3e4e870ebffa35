"""The appeal list and current state: one row per appeal with its state (the domain's own fold)
and the columns that lists filter on. No personal data: the state holds none."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
import psycopg
from psycopg_pool import ConnectionPool

from domain.appeals.events import AppealEvent
from domain.appeals.state import AppealState, evolve
from projections.engine.runner import Event

_STATE_ENCODER = msgspec.json.Encoder()
_STATE_DECODER = msgspec.json.Decoder(AppealState)


class AppealsProjection:
    name = "appeals"
    version = 1
    table = "appeals_v1"

    def reset(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute(f"TRUNCATE {self.table}")

    def apply(self, conn: psycopg.Connection[Any], events: Sequence[Event]) -> None:
        appeal_events = [e for e in events if isinstance(e.event, AppealEvent)]
        if not appeal_events:
            return
        ids = list(dict.fromkeys(e.event.originator_id for e in appeal_events))
        rows = conn.execute(
            f"SELECT appeal_id, position, state::text FROM {self.table} WHERE appeal_id = ANY(%s)",
            (ids,),
        ).fetchall()
        states: dict[UUID, AppealState | None] = {r[0]: _STATE_DECODER.decode(r[2]) for r in rows}
        applied: dict[UUID, int] = {r[0]: r[1] for r in rows}
        positions: dict[UUID, int] = {}
        for item in appeal_events:
            event = item.event
            appeal_id = event.originator_id
            if item.position <= applied.get(appeal_id, 0):
                continue  # already in the view
            states[appeal_id] = evolve(states.get(appeal_id), event)
            positions[appeal_id] = item.position
        if not positions:
            return
        params = []
        for appeal_id, position in positions.items():
            state = states[appeal_id]
            assert state is not None
            params.append(
                (
                    appeal_id,
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
                    _STATE_ENCODER.encode(state).decode(),
                )
            )
        with conn.cursor() as cur:
            cur.executemany(
                f"""
                INSERT INTO {self.table} (appeal_id, version, position, kind, channel, status,
                    registration_number, topic, department, executor, sector, received_at,
                    answer_due, closed_at, state)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::json)
                ON CONFLICT (appeal_id) DO UPDATE SET
                    version = EXCLUDED.version, position = EXCLUDED.position,
                    status = EXCLUDED.status, registration_number = EXCLUDED.registration_number,
                    topic = EXCLUDED.topic, department = EXCLUDED.department,
                    executor = EXCLUDED.executor, sector = EXCLUDED.sector,
                    answer_due = EXCLUDED.answer_due, closed_at = EXCLUDED.closed_at,
                    state = EXCLUDED.state
                """,
                params,
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
    position: int  # the view's log position when the page was read


class AppealQueries:
    """Reads of the appeals view, for the API."""

    table = AppealsProjection.table

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def get(self, appeal_id: UUID) -> tuple[bytes, int] | None:
        """The appeal's state as stored JSON, and its version; None when not in the view."""
        with self.pool.connection() as conn:
            row = conn.execute(
                f"SELECT state::text, version FROM {self.table} WHERE appeal_id = %s",
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
        sql = f"SELECT state::text, received_at, appeal_id FROM {self.table}"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY received_at DESC, appeal_id DESC LIMIT %s"
        params.append(limit + 1)
        with self.pool.connection() as conn:
            rows = conn.execute(sql, params).fetchall()
            tracked = conn.execute(
                "SELECT position FROM projection_tracking WHERE name = %s AND version = %s",
                (AppealsProjection.name, AppealsProjection.version),
            ).fetchone()
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1][1], rows[-1][2]) if more and rows else None
        return AppealPage(
            items=[msgspec.Raw(r[0].encode()) for r in rows],
            next_cursor=next_cursor,
            position=int(tracked[0]) if tracked else 0,
        )


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
