"""The digest workers of `otklik audit verify`: each computes, in its own process, the SHA-256
digests (``domain/audit/chain.py``) of a range of positions of the log, inside the verifier's
snapshot. Kept apart, with little more than psycopg and the digest itself
(``domain.audit.verify.digested``), so that a spawned worker starts quickly. (PostgreSQL places
later rows in earlier pages' free space, so a range of pages is not a range of positions: the
ranges are read through the position index.)"""

from __future__ import annotations

from array import array
from typing import Any

import psycopg
from psycopg import sql

from domain.audit.verify import digested

BATCH = 20_000
_COLUMNS = "notification_id, originator_id, originator_version, topic, state"
# binary COPY of the stored columns; a uuid's binary form is its 16 bytes and a text's is its
# UTF-8, so reading every column as bytea hands them over exactly as the digest takes them
LOG_TYPES = ["int8", "bytea", "int8", "bytea", "bytea"]


def join(conninfo: str, snapshot_id: str) -> psycopg.Connection[Any]:
    """A read-only connection inside the exported snapshot ``snapshot_id``."""
    conn = psycopg.connect(conninfo)
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot_id)))
    return conn


def log_query(lo: int, hi: int) -> str:
    """Positions ``lo``..``hi`` (inclusive), in position order."""
    return (
        f"COPY (SELECT {_COLUMNS} FROM otklik_events"
        f" WHERE notification_id BETWEEN {int(lo)} AND {int(hi)}"
        " ORDER BY notification_id) TO STDOUT (FORMAT BINARY)"
    )


def digest_part(conninfo: str, snapshot_id: str, lo: int, hi: int, out: Any) -> None:
    """Send the digests of the events at positions ``lo``..``hi`` to ``out`` in batches of
    (positions as int64s, digests concatenated), in position order, then None."""
    conn = join(conninfo, snapshot_id)
    try:
        positions = array("q")
        digests = bytearray()
        with conn.cursor() as cur, cur.copy(log_query(lo, hi)) as copy:
            copy.set_types(LOG_TYPES)
            for position, digest in digested(copy.rows()):
                positions.append(position)
                digests += digest
                if len(positions) == BATCH:
                    out.put((positions.tobytes(), bytes(digests)))
                    positions = array("q")
                    digests = bytearray()
        out.put((positions.tobytes(), bytes(digests)))
    finally:
        out.put(None)
        conn.close()
