"""The log and the audit ledger read in one consistent snapshot: the ledger's state, raw rows
through binary COPY, who stands at a position, and the checkpoints signed into the log."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import psycopg

from domain.audit.chain import Checkpoint, SignedCheckpoint
from domain.audit.events import CHECKPOINTS_STREAM, CheckpointSigned
from domain.audit.verify import Identify, Raw
from infra.audit.digest_worker import LOG_TYPES, join, log_query
from infra.event_codec import decode_event
from projections.audit_ledger import AuditLedgerProjection
from projections.engine.model import view_position


@dataclass
class LedgerState:
    position: int  # the last log position the ledger has processed
    events: int
    link: str
    checkpoints: list[Checkpoint] = field(default_factory=list)
    head_position: int = 0  # the position of the last event it recorded

    @property
    def head(self) -> list[Checkpoint]:
        """The chain's head as one more checkpoint (none before the first event)."""
        if not self.events:
            return []
        return [Checkpoint(position=self.head_position, events=self.events, link=self.link)]


def ledger_state(conn: psycopg.Connection[Any]) -> LedgerState:
    built = view_position(conn, AuditLedgerProjection.name)
    if built is None:
        raise LookupError("the audit ledger has no active build yet (otklik projections run)")
    head = conn.execute("SELECT events, link, position FROM audit_head WHERE id = 1").fetchone()
    checkpoints = [
        Checkpoint(position=int(r[0]), events=int(r[1]), link=bytes(r[2]).hex())
        for r in conn.execute(
            "SELECT position, events, link FROM audit_checkpoints ORDER BY position"
        )
    ]
    if head is None:
        return LedgerState(built, 0, bytes(32).hex(), checkpoints)
    return LedgerState(
        built, int(head[0]), bytes(head[1]).hex(), checkpoints, head_position=int(head[2])
    )


@dataclass
class Snapshot:
    """Connections that see the database as of one instant (an exported snapshot), so the log
    and the ledger can be streamed side by side, each with COPY, by this process or others."""

    conninfo: str
    id: str
    main: psycopg.Connection[Any]
    second: psycopg.Connection[Any]


@contextlib.contextmanager
def snapshot(conninfo: str) -> Iterator[Snapshot]:
    """Read-only, repeatable-read, one instant for every connection. Leaving it closes them: a
    stream left unfinished (a verification that stopped early) is abandoned, not drained."""
    main = psycopg.connect(conninfo)
    opened = [main]
    try:
        main.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        main.read_only = True
        row = main.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        second = join(conninfo, row[0])
        opened.append(second)
        yield Snapshot(conninfo, row[0], main, second)
    finally:
        for conn in opened:
            conn.close()


_LEDGER_COPY = (
    "COPY (SELECT position, digest FROM audit_ledger ORDER BY position) TO STDOUT (FORMAT BINARY)"
)


def _stream(conn: psycopg.Connection[Any], statement: str, types: list[str]) -> Iterator[Any]:
    """Raw rows through binary COPY: the fastest way out of PostgreSQL, no Python object but
    the tuple per row."""
    try:
        with conn.cursor() as cur, cur.copy(statement) as copy:
            copy.set_types(types)
            yield from copy.rows()
    except psycopg.OperationalError:
        if not conn.closed:
            raise  # the database failed under the stream: the verification cannot stand
        # else the snapshot was closed under a stream a verification abandoned: nothing to read


def log_rows(conn: psycopg.Connection[Any], lo: int = 0, hi: int = 2**62) -> Iterator[Raw]:
    """The stored events at positions ``lo``..``hi``, in position order, as raw columns."""
    rows: Iterator[Raw] = _stream(conn, log_query(lo, hi), LOG_TYPES)
    return rows


def _identity(conn: psycopg.Connection[Any], table: str, key: str) -> Identify:
    """Which event stands at a position in ``table`` (for a finding): read in the snapshot."""
    query = psycopg.sql.SQL(
        "SELECT uuid_send(originator_id), originator_version, convert_to(topic, 'UTF8')"
        " FROM {} WHERE {} = %s"
    ).format(psycopg.sql.Identifier(table), psycopg.sql.Identifier(key))

    def at(position: int) -> tuple[bytes, int, bytes]:
        row = conn.execute(query, (position,)).fetchone()
        assert row is not None
        return bytes(row[0]), int(row[1]), bytes(row[2])

    return at


def identify(conn: psycopg.Connection[Any]) -> Identify:
    """Who the log's event at a position is."""
    return _identity(conn, "otklik_events", "notification_id")


def recorded_as(conn: psycopg.Connection[Any]) -> Identify:
    """Which event the ledger recorded at a position."""
    return _identity(conn, "audit_ledger", "position")


def ledger_rows(conn: psycopg.Connection[Any]) -> Iterator[tuple[int, bytes]]:
    """The digests the ledger recorded, (position, digest) in position order."""
    rows: Iterator[tuple[int, bytes]] = _stream(conn, _LEDGER_COPY, ["int8", "bytea"])
    return rows


_ENTRIES_COPY = (
    "COPY (SELECT position, originator_id, originator_version, topic, digest FROM audit_ledger"
    " ORDER BY position) TO STDOUT (FORMAT BINARY)"
)


def ledger_entries(conn: psycopg.Connection[Any]) -> Iterator[Raw]:
    """What the ledger recorded, whole: (position, id bytes, version, topic bytes, digest)."""
    rows: Iterator[Raw] = _stream(conn, _ENTRIES_COPY, LOG_TYPES)
    return rows


def signed_in_log(conn: psycopg.Connection[Any]) -> list[SignedCheckpoint]:
    rows = conn.execute(
        "SELECT topic, state FROM otklik_events WHERE originator_id = %s"
        " ORDER BY originator_version",
        (CHECKPOINTS_STREAM,),
    ).fetchall()
    return [cast(CheckpointSigned, decode_event(t, bytes(s))).signed for t, s in rows]
