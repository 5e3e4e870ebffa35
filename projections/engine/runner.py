"""Runs projections: batches of events in log order, each batch's rows and tracking position in one
transaction (exactly-once), woken by LISTEN/NOTIFY with a polling fallback, one active runner per
projection version (a PostgreSQL advisory lock)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Sequence
from typing import Any, Protocol
from uuid import UUID

import msgspec
import psycopg
import structlog
from eventsourcing.application import Application
from psycopg_pool import ConnectionPool

log = structlog.get_logger("otklik.projections")


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """A decoded event with its position in the log."""

    position: int
    topic: str
    event: Any


class Projection(Protocol):
    name: str
    version: int

    def apply(self, conn: psycopg.Connection[Any], events: Sequence[Event]) -> None:
        """Write the batch's effect with ``conn`` (inside the engine's transaction)."""

    def reset(self, conn: psycopg.Connection[Any]) -> None:
        """Empty the read model (inside the engine's transaction), before a rebuild."""


class ProjectionStatus(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    version: int
    position: int
    head: int
    lag_events: int
    state: str
    error: str | None
    error_position: int | None
    updated_at: str


def lock_key(projection: Projection) -> int:
    """A stable 63-bit advisory lock key for a projection version."""
    digest = hashlib.sha256(f"projection:{projection.name}:{projection.version}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


class ProjectionEngine:
    def __init__(
        self,
        *,
        application: Application[UUID],
        pool: ConnectionPool,
        conninfo: str,
        projections: Sequence[Projection],
        batch_size: int = 1000,
        poll_seconds: float = 1.0,
    ) -> None:
        self.application = application
        self.pool = pool
        self.conninfo = conninfo
        self.projections = list(projections)
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        events_table = getattr(application.recorder, "events_table_name", "otklik_events")
        self.channel = str(events_table).replace(".", "_")

    # --- one step --------------------------------------------------------------------------
    def position(self, projection: Projection) -> int:
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT position FROM projection_tracking WHERE name = %s AND version = %s",
                (projection.name, projection.version),
            ).fetchone()
        return int(row[0]) if row else 0

    def read(self, after: int, limit: int) -> list[Event]:
        notifications = self.application.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False
        )
        mapper = self.application.mapper
        return [
            Event(position=n.id, topic=n.topic, event=mapper.to_domain_event(n))
            for n in notifications
        ]

    def run_once(self, projection: Projection) -> int:
        """Apply the next batch; return how many events it held (0 when caught up)."""
        after = self.position(projection)
        batch = self.read(after, self.batch_size)
        if not batch:
            return 0
        try:
            with self.pool.connection() as conn, conn.transaction():
                # Guard against a second writer: the row lock orders competing batches, and the
                # position check refuses a batch someone else already applied.
                row = conn.execute(
                    "SELECT position FROM projection_tracking"
                    " WHERE name = %s AND version = %s FOR UPDATE",
                    (projection.name, projection.version),
                ).fetchone()
                if row is None or int(row[0]) != after:
                    return 0
                projection.apply(conn, batch)
                conn.execute(
                    "UPDATE projection_tracking SET position = %s, state = 'live', error = NULL,"
                    " error_position = NULL, updated_at = now() WHERE name = %s AND version = %s",
                    (batch[-1].position, projection.name, projection.version),
                )
        except Exception as error:
            self._record_failure(projection, batch, error)
            raise
        log.debug(
            "projection.batch",
            projection=projection.name,
            version=projection.version,
            events=len(batch),
            position=batch[-1].position,
        )
        return len(batch)

    def _record_failure(
        self, projection: Projection, batch: Sequence[Event], error: Exception
    ) -> None:
        with self.pool.connection() as conn:
            conn.execute(
                "UPDATE projection_tracking SET state = 'failed', error = %s, error_position = %s,"
                " updated_at = now() WHERE name = %s AND version = %s",
                (
                    f"{type(error).__name__}: {error}",
                    batch[0].position,
                    projection.name,
                    projection.version,
                ),
            )
            conn.commit()
        log.error(
            "projection.failed",
            projection=projection.name,
            version=projection.version,
            position=batch[0].position,
            error=type(error).__name__,
        )

    def catch_up(self, projection: Projection) -> int:
        total = 0
        while count := self.run_once(projection):
            total += count
        return total

    def catch_up_all(self) -> None:
        for projection in self.projections:
            self.catch_up(projection)

    def by_name(self, name: str) -> Projection:
        for projection in self.projections:
            if projection.name == name:
                return projection
        raise KeyError(name)

    def rebuild(self, name: str) -> tuple[int, float]:
        """Empty the read model and replay the whole log into it; (events, seconds).

        Takes the projection's advisory lock, so it refuses to run beside a live runner.
        """
        projection = self.by_name(name)
        with psycopg.connect(self.conninfo, autocommit=True) as lock:
            row = lock.execute(
                "SELECT pg_try_advisory_lock(%s)", (lock_key(projection),)
            ).fetchone()
            if not row or not row[0]:
                raise RuntimeError(f"a live runner holds the projection {name!r}; stop it first")
            started = time.perf_counter()
            with self.pool.connection() as conn, conn.transaction():
                projection.reset(conn)
                conn.execute(
                    "UPDATE projection_tracking SET position = 0, state = 'live', error = NULL,"
                    " error_position = NULL, updated_at = now() WHERE name = %s AND version = %s",
                    (projection.name, projection.version),
                )
            count = self.catch_up(projection)
            return count, time.perf_counter() - started

    # --- live ------------------------------------------------------------------------------
    def start(self) -> None:
        for projection in self.projections:
            thread = threading.Thread(
                target=self._run_live,
                args=(projection,),
                daemon=True,
                name=f"projection-{projection.name}-v{projection.version}",
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def _run_live(self, projection: Projection) -> None:
        while not self._stop.is_set():
            try:
                self._live_session(projection)
            except Exception as error:  # a lost connection or a failed handler: retry later
                log.warning(
                    "projection.restart", projection=projection.name, error=type(error).__name__
                )
                self._stop.wait(max(self.poll_seconds, 1.0))

    def _live_session(self, projection: Projection) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as listener:
            locked = listener.execute(
                "SELECT pg_try_advisory_lock(%s)", (lock_key(projection),)
            ).fetchone()
            if not locked or not locked[0]:
                # Another runner holds this projection version; stand by.
                self._stop.wait(self.poll_seconds * 5)
                return
            listener.execute(
                psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(self.channel))
            )
            log.info("projection.live", projection=projection.name, version=projection.version)
            while not self._stop.is_set():
                started = time.monotonic()
                self.catch_up(projection)
                # Woken by NOTIFY; the timeout is the polling fallback for a lost notification.
                for _ in listener.notifies(timeout=self.poll_seconds, stop_after=1):
                    break  # one wake-up is enough: the next catch-up reads whatever arrived
                if time.monotonic() - started < 0.001:
                    self._stop.wait(0.001)

    # --- status and waiting ------------------------------------------------------------------
    def head(self) -> int:
        return int(self.application.recorder.max_notification_id() or 0)

    def wait_for(self, projection_name: str, position: int, timeout: float = 10.0) -> bool:
        """Wait until ``projection_name`` has applied ``position`` (for read-your-writes)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.pool.connection() as conn:
                row = conn.execute(
                    "SELECT max(position) FROM projection_tracking WHERE name = %s AND state = 'live'",
                    (projection_name,),
                ).fetchone()
            if row and row[0] is not None and int(row[0]) >= position:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)


def statuses(pool: ConnectionPool, head: int) -> list[ProjectionStatus]:
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT name, version, position, state, error, error_position, updated_at"
            " FROM projection_tracking ORDER BY name, version"
        ).fetchall()
    return [
        ProjectionStatus(
            name=r[0],
            version=r[1],
            position=r[2],
            head=head,
            lag_events=max(head - r[2], 0),
            state=r[3],
            error=r[4],
            error_position=r[5],
            updated_at=r[6].isoformat(),
        )
        for r in rows
    ]
