"""What a projection declares to the engine, and what the engine hands it for each batch."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

import msgspec
import psycopg
from psycopg import sql

from projections.engine.failures import Undecodable, UndecodableEvent, describe
from projections.engine.reads import ProjectionBehind as ProjectionBehind
from projections.engine.reads import ProjectionFailed as ProjectionFailed
from projections.engine.reads import ProjectionNotReady as ProjectionNotReady
from projections.engine.reads import reading as reading
from projections.engine.reads import view_position as view_position
from projections.engine.storable import UNSTORABLE, readable, storable


class Event(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A decoded event with its position in the log (``event`` is None for a projection that
    declares ``raw = True`` and reads the stored rows itself, see ``Batch.stored``)."""

    position: int
    topic: str  # the event type's name, without a stored "@N" version
    event: Any


class Projection(Protocol):
    """A read model. ``tables`` are the logical names readers query (each a view over the active
    build's table); ``ddl`` creates them, with ``{name}`` placeholders for the physical names."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> int: ...

    @property
    def topics(self) -> frozenset[str] | None:
        """The event types it handles (None: all of them); the engine decodes only these."""

    @property
    def tables(self) -> tuple[str, ...]: ...

    @property
    def ddl(self) -> str: ...

    @property
    def indexes(self) -> str:
        """Secondary indexes (``CREATE INDEX IF NOT EXISTS …``), created once the build has
        caught up and before it takes over: a bulk load into a table without them is faster."""

    def apply(self, batch: Batch) -> None:
        """Write the batch's effect with ``batch.conn`` (inside the engine's transaction)."""


def advisory_key(text: str) -> int:
    """A stable 63-bit PostgreSQL advisory lock key named by ``text``."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1


class Build(msgspec.Struct, frozen=True, order=True):
    """One build of a projection version: its own tables, its own position."""

    name: str
    version: int
    generation: int = 1

    @property
    def label(self) -> str:
        tail = f"/{self.generation}" if self.generation > 1 else ""
        return f"{self.name} v{self.version}{tail}"

    def physical(self, table: str) -> str:
        tail = f"_g{self.generation}" if self.generation > 1 else ""
        return f"{table}_v{self.version}{tail}"

    @property
    def lock_key(self) -> int:
        """A stable advisory lock key: one active runner per build across machines."""
        return advisory_key(f"projection:{self.name}:{self.version}:{self.generation}")


@dataclass
class Batch:
    """One batch for one build: the events, the connection of the engine's transaction, the
    build's physical table names, and a cache that lives as long as the runner (it is cleared
    whenever a transaction of this build rolls back, so it never holds uncommitted state)."""

    conn: psycopg.Connection[Any]
    events: Sequence[Event]
    build: Build
    tables: dict[str, str]
    cache: dict[Any, Any] = field(default_factory=dict)
    decode: Callable[[str, bytes], Any] | None = None
    events_table: str = "otklik_events"
    raw: bool = False  # the projection reads the stored rows itself (``stored``)

    def __post_init__(self) -> None:
        for item in () if self.raw else self.events:
            if item.event.__class__ is Undecodable:
                raise UndecodableEvent(item.event.error)

    def streams(self, ids: Sequence[UUID]) -> dict[UUID, list[Any]]:
        """The decoded events of these aggregates, in version order, from the log (for a
        projection that folds an aggregate it has not seen since the runner started)."""
        if not ids:
            return {}
        assert self.decode is not None, "the engine hands batches a decoder"
        found: dict[UUID, list[Any]] = {}
        with self.conn.cursor(binary=True) as cur:
            cur.execute(
                sql.SQL(
                    "SELECT originator_id, topic, state FROM {} WHERE originator_id = ANY(%s)"
                    " ORDER BY originator_id, originator_version"
                ).format(sql.Identifier(self.events_table)),
                (list(ids),),
            )
            for originator_id, topic, state in cur:
                try:
                    event = self.decode(topic, state)
                except Exception as error:
                    raise UndecodableEvent(describe(error)) from None
                found.setdefault(originator_id, []).append(event)
        return found

    def stored(self) -> list[tuple[int, UUID, int, str, bytes]]:
        """The batch's events as stored — (position, originator id, version, stored topic,
        bytes) — read again from the log inside the batch's transaction (for the audit ledger,
        which hashes the bytes as they are)."""
        if not self.events:
            return []
        with self.conn.cursor(binary=True) as cur:
            cur.execute(
                sql.SQL(
                    "SELECT notification_id, originator_id, originator_version, topic, state"
                    " FROM {} WHERE notification_id BETWEEN %s AND %s ORDER BY notification_id"
                ).format(sql.Identifier(self.events_table)),
                (self.events[0].position, self.events[-1].position),
            )
            rows: list[tuple[int, UUID, int, str, bytes]] = cur.fetchall()
        return rows

    def query(self, template: str) -> sql.Composed:
        """``template`` with every ``{table}`` placeholder naming this build's physical table."""
        names = {k: sql.Identifier(v) for k, v in self.tables.items()}
        return sql.SQL(template).format(**names)

    def table(self, logical: str) -> sql.Identifier:
        return sql.Identifier(self.tables[logical])

    def upsert(
        self,
        logical: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        key: Sequence[str],
        add: Sequence[str] = (),
    ) -> None:
        """Set-based write: binary COPY of the rows into a temporary staging table, then one
        ``INSERT … ON CONFLICT (key) DO UPDATE``. Columns in ``add`` are summed with the stored
        value (counters); the others are replaced. Rows the columns cannot hold as they are (a
        NUL, an integer beyond the column's range, from an old event) are written again made
        storable (``storable.py``); the times of timestamptz columns are kept readable back on
        every write (``storable.readable``)."""
        target = self.tables[logical]
        types = self._types(target)
        self.conn.execute(
            sql.SQL(
                "CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {target} INCLUDING DEFAULTS)"
                " ON COMMIT DELETE ROWS"
            ).format(stage=sql.Identifier(f"stage_{target}"), target=sql.Identifier(target))
        )
        column_types = [types[c] for c in columns]
        kept = readable(rows, column_types)
        try:
            with self.conn.transaction():
                self._merge(target, columns, column_types, kept, key, add)
        except UNSTORABLE:
            where = [columns.index(c) for c in key], [columns.index(c) for c in add]
            clean = storable(kept, column_types, *where)
            self._merge(target, columns, column_types, clean, key, add)

    def _merge(
        self,
        target: str,
        columns: Sequence[str],
        types: Sequence[str],
        rows: Iterable[Sequence[Any]],
        key: Sequence[str],
        add: Sequence[str],
    ) -> None:
        stage = sql.Identifier(f"stage_{target}")
        cols = sql.SQL(", ").join(map(sql.Identifier, columns))
        with self.conn.cursor() as cur:
            copy_sql = sql.SQL("COPY {stage} ({cols}) FROM STDIN (FORMAT BINARY)").format(
                stage=stage, cols=cols
            )
            with cur.copy(copy_sql) as copy:
                copy.set_types(list(types))
                for row in rows:
                    copy.write_row(row)
            updates = [
                sql.SQL("{c} = {t}.{c} + EXCLUDED.{c}").format(
                    c=sql.Identifier(c), t=sql.Identifier(target)
                )
                if c in add
                else sql.SQL("{c} = EXCLUDED.{c}").format(c=sql.Identifier(c))
                for c in columns
                if c not in key
            ]
            cur.execute(
                sql.SQL(
                    "INSERT INTO {target} ({cols}) SELECT {cols} FROM {stage}"
                    " ON CONFLICT ({key}) DO UPDATE SET {updates}"
                ).format(
                    target=sql.Identifier(target),
                    cols=cols,
                    stage=stage,
                    key=sql.SQL(", ").join(map(sql.Identifier, key)),
                    updates=sql.SQL(", ").join(updates),
                )
            )
            cur.execute(sql.SQL("TRUNCATE {stage}").format(stage=stage))

    def _types(self, table: str) -> dict[str, str]:
        """Column name → type name, for the binary COPY (kept in the runner's cache)."""
        key = ("column types", table)
        types: dict[str, str] | None = self.cache.get(key)
        if types is None:
            rows = self.conn.execute(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
                " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                (table,),
            ).fetchall()
            types = {r[0]: r[1] for r in rows}
            self.cache[key] = types
        return types
