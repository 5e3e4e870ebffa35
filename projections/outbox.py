"""The outbox view: one row per outgoing message (queued, sending, failed, dead, delivered,
awaiting print, printed, no address) for the operators and for the delivery worker's timer.

Each batch folds the streams of the messages it touches from the log (the message's own
``evolve``), so the row is always the message as its events made it, whatever the batch holds."""

from __future__ import annotations

import builtins
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec
from psycopg_pool import ConnectionPool

from domain.outbox.events import MESSAGE_EVENT_TYPES, MessageEvent
from domain.outbox.state import Message, evolve
from domain.privacy.erasure import PersonalDataErased
from projections.engine.model import Batch, reading

_COLUMNS = (
    "message_id",
    "appeal_id",
    "purpose",
    "channel",
    "status",
    "recipient",
    "subject",
    "body",
    "article",
    "trigger_type",
    "queued_at",
    "attempts",
    "started_at",
    "retry_at",
    "last_reason",
    "reference",
    "duplicates",
    "delivered_at",
    "gave_up_at",
    "printed_at",
    "version",
)


class OutboxProjection:
    name = "outbox_messages"
    # (no new version for issue 18's erasures: no log held one before, so v1's rows stand)
    version = 1
    topics = frozenset({*(cls.__name__ for cls in MESSAGE_EVENT_TYPES), "PersonalDataErased"})
    tables = ("outbox_messages",)
    ddl = """
        CREATE TABLE {outbox_messages} (
            message_id uuid PRIMARY KEY,
            appeal_id uuid,
            purpose text NOT NULL,
            channel text NOT NULL,
            status text NOT NULL,
            recipient text,
            subject text NOT NULL,
            body text NOT NULL,
            article text,
            trigger_type text NOT NULL,
            queued_at timestamptz NOT NULL,
            attempts integer NOT NULL,
            started_at timestamptz,
            retry_at timestamptz,
            last_reason text,
            reference text,
            duplicates integer NOT NULL,
            delivered_at timestamptz,
            gave_up_at timestamptz,
            printed_at timestamptz,
            version integer NOT NULL
        );
    """
    indexes = """
        CREATE INDEX IF NOT EXISTS {outbox_messages}_status
            ON {outbox_messages} (status, queued_at);
        CREATE INDEX IF NOT EXISTS {outbox_messages}_appeal ON {outbox_messages} (appeal_id);
    """

    def apply(self, batch: Batch) -> None:
        ids = list(
            dict.fromkeys(
                e.event.message_id for e in batch.events if isinstance(e.event, MessageEvent)
            )
        )
        # issue 18: an erasure re-derives its appeals' messages from the log, where their
        # sealed fields now read as placeholders (as a rebuild reads them): no plaintext stays
        erased = [
            a
            for e in batch.events
            if isinstance(e.event, PersonalDataErased)
            for a in e.event.appeal_ids
        ]
        if erased:
            with batch.conn.cursor() as cur:
                cur.execute(
                    batch.query(
                        "SELECT message_id FROM {outbox_messages} WHERE appeal_id = ANY(%s)"
                    ),
                    (erased,),
                )
                ids = list(dict.fromkeys([*ids, *(r[0] for r in cur.fetchall())]))
        rows = []
        for events in batch.streams(ids).values():
            state: Message | None = None
            for event in events:
                if isinstance(event, MessageEvent):
                    state = evolve(state, event)
            if state is not None:
                rows.append(_row(state, len(events)))
        if rows:
            batch.upsert("outbox_messages", _COLUMNS, rows, key=("message_id",))


def _row(m: Message, version: int) -> tuple[Any, ...]:
    return (
        m.message_id,
        m.appeal_id,
        m.purpose.value,
        m.channel.value,
        m.status.value,
        m.recipient,
        m.subject,
        m.body,
        m.article,
        m.trigger_type,
        m.queued_at,
        m.attempts,
        m.started_at,
        m.retry_at,
        m.last_reason,
        m.reference,
        m.duplicates,
        m.delivered_at,
        m.gave_up_at,
        m.printed_at,
        version,
    )


class OutboxItem(msgspec.Struct, frozen=True, kw_only=True):
    message_id: UUID
    appeal_id: UUID | None
    purpose: str
    channel: str
    status: str
    recipient: str | None
    subject: str
    body: str
    article: str | None
    trigger_type: str
    queued_at: datetime
    attempts: int
    started_at: datetime | None
    retry_at: datetime | None
    last_reason: str | None
    reference: str | None
    duplicates: int
    delivered_at: datetime | None
    gave_up_at: datetime | None
    printed_at: datetime | None
    version: int


class OutboxQueries:
    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def list(
        self, *, status: str | None = None, appeal_id: UUID | None = None, limit: int = 100
    ) -> builtins.list[OutboxItem]:
        """The messages, newest first (of one status, one appeal)."""
        clauses: builtins.list[str] = ["TRUE"]
        params: dict[str, Any] = {"limit": limit}
        if status is not None:
            clauses.append("status = %(status)s")
            params["status"] = status
        if appeal_id is not None:
            clauses.append("appeal_id = %(appeal)s")
            params["appeal"] = appeal_id
        query = (
            f"SELECT {', '.join(_COLUMNS)} FROM outbox_messages WHERE {' AND '.join(clauses)}"
            " ORDER BY queued_at DESC, message_id LIMIT %(limit)s"
        )
        with reading(self.pool, OutboxProjection.name) as conn:
            rows = conn.execute(query, params).fetchall()
        return [OutboxItem(**dict(zip(_COLUMNS, r, strict=True))) for r in rows]

    def counts(self) -> dict[str, int]:
        """The number of messages by status."""
        with reading(self.pool, OutboxProjection.name) as conn:
            rows = conn.execute(
                "SELECT status, count(*) FROM outbox_messages GROUP BY status"
            ).fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def due(
        self, now: datetime, channels: builtins.list[str], lease_seconds: float, limit: int
    ) -> builtins.list[UUID]:
        """Messages an attempt is due for: queued, failed and due again, or in flight past the
        lease (their worker died), on the channels given, oldest first."""
        with reading(self.pool, OutboxProjection.name) as conn:
            rows = conn.execute(
                "SELECT message_id FROM outbox_messages WHERE channel = ANY(%(channels)s) AND ("
                " status = 'queued' OR (status = 'failed' AND retry_at <= %(now)s)"
                " OR (status = 'sending' AND started_at <= %(stale)s))"
                " ORDER BY queued_at LIMIT %(limit)s",
                {
                    "channels": channels,
                    "now": now,
                    "stale": now - timedelta(seconds=lease_seconds),
                    "limit": limit,
                },
            ).fetchall()
        return [r[0] for r in rows]
