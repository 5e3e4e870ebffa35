"""The audit ledger: for every event in the log, in notification order, what it was when the
ledger first saw it — its aggregate, version, type and the SHA-256 digest of its stored bytes —
and the hash chain over them (``domain/audit/chain.py``), with a checkpoint every
``CHECKPOINT_EVERY`` events and the chain's head after every batch.

It is a raw projection: it hashes the bytes as stored, never a decoded and re-encoded event.
Unlike the other read models it is evidence: rebuilding it from an altered log would record the
alteration as the truth, so a failed verification is answered with the published checkpoints
and the exports, never with a rebuild.
"""

from __future__ import annotations

from typing import Any

import msgspec
from psycopg_pool import ConnectionPool

from domain.audit.chain import GENESIS, digest, link
from projections.engine.model import Batch, ProjectionNotReady, reading, view_position

CHECKPOINT_EVERY = 10_000


class AuditLedgerProjection:
    name = "audit_ledger"
    version = 1
    topics = None
    raw = True  # reads the stored rows itself; the engine decodes nothing for it
    tables = ("audit_ledger", "audit_checkpoints", "audit_head")
    ddl = """
        CREATE TABLE {audit_ledger} (
            position bigint PRIMARY KEY,
            originator_id uuid NOT NULL,
            originator_version bigint NOT NULL,
            topic text NOT NULL,
            digest bytea NOT NULL
        );
        CREATE TABLE {audit_checkpoints} (
            position bigint PRIMARY KEY,
            events bigint NOT NULL,
            link bytea NOT NULL
        );
        CREATE TABLE {audit_head} (
            id smallint PRIMARY KEY CHECK (id = 1),
            position bigint NOT NULL,
            events bigint NOT NULL,
            link bytea NOT NULL
        );
    """
    indexes = ""

    def apply(self, batch: Batch) -> None:
        rows = batch.stored()
        if not rows:
            return
        if [r[0] for r in rows] != [e.position for e in batch.events]:
            raise RuntimeError("the log changed under the ledger's batch")
        conn = batch.conn
        head: tuple[int, bytes] | None = batch.cache.get("head")
        if head is None:
            found = conn.execute(
                batch.query("SELECT events, link FROM {audit_head} WHERE id = 1")
            ).fetchone()
            head = (int(found[0]), bytes(found[1])) if found else (0, GENESIS)
        events, chain = head
        ledger: list[tuple[Any, ...]] = []
        checkpoints: list[tuple[int, int, bytes]] = []
        for position, originator_id, version, topic, state in rows:
            d = digest(originator_id, version, topic, state)
            chain = link(chain, position, d)
            events += 1
            ledger.append((position, originator_id, version, topic, d))
            if events % CHECKPOINT_EVERY == 0:
                checkpoints.append((position, events, chain))
        with conn.cursor() as cur:
            with cur.copy(
                batch.query(
                    "COPY {audit_ledger} (position, originator_id, originator_version, topic,"
                    " digest) FROM STDIN (FORMAT BINARY)"
                )
            ) as copy:
                copy.set_types(["bigint", "uuid", "bigint", "text", "bytea"])
                for item in ledger:
                    copy.write_row(item)
            if checkpoints:
                cur.executemany(
                    batch.query("INSERT INTO {audit_checkpoints} VALUES (%s, %s, %s)"), checkpoints
                )
            cur.execute(
                batch.query(
                    "INSERT INTO {audit_head} VALUES (1, %s, %s, %s) ON CONFLICT (id) DO UPDATE"
                    " SET position = EXCLUDED.position, events = EXCLUDED.events,"
                    " link = EXCLUDED.link"
                ),
                (rows[-1][0], events, chain),
            )
        batch.cache["head"] = (events, chain)


class LedgerHead(msgspec.Struct, frozen=True, kw_only=True):
    position: int  # the last log position the ledger has recorded
    events: int
    link: str  # the chain's head (hex): what `otklik audit checkpoint` signs
    checkpoints: int
    last_checkpoint_position: int | None


class AuditLedgerQueries:
    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def head(self) -> LedgerHead:
        with reading(self.pool, AuditLedgerProjection.name) as conn:
            built = view_position(conn, AuditLedgerProjection.name)
            head = conn.execute("SELECT events, link FROM audit_head WHERE id = 1").fetchone()
            counted = conn.execute(
                "SELECT count(*), max(position) FROM audit_checkpoints"
            ).fetchone()
        if built is None or counted is None:
            raise ProjectionNotReady(AuditLedgerProjection.name)
        return LedgerHead(
            position=built,
            events=int(head[0]) if head else 0,
            link=bytes(head[1]).hex() if head else GENESIS.hex(),
            checkpoints=int(counted[0]),
            last_checkpoint_position=counted[1],
        )

    def digests(self, positions: list[int]) -> dict[int, str]:
        """The ledger's digest (hex) of the events at these log positions it has recorded (by
        the primary key: a stream's own events, read with their positions)."""
        with reading(self.pool, AuditLedgerProjection.name) as conn:
            rows = conn.execute(
                "SELECT position, digest FROM audit_ledger WHERE position = ANY(%s)",
                (positions,),
            ).fetchall()
        return {int(position): bytes(digest).hex() for position, digest in rows}
