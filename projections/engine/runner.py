"""The projection engine.

- Reads the notification log in order (gap-free: the event store appends under a table lock), in
  batches bounded by count and time, decodes each event once for every build that wants it, and
  commits each build's writes together with its new position in one transaction (exactly-once).
- Every projection version is built into its own tables (a *build*). Readers query views named
  after the logical tables; they point at the active build. A new build (a version bump, or
  ``rebuild``) runs beside the active one and, once it has caught up, takes over in one
  transaction that repoints the views: zero downtime, never a half-built answer.
- Live mode: one thread per build, woken by LISTEN/NOTIFY, with a polling fallback (a lost
  notification costs at most ``poll_seconds``) and a watchdog that restarts dead runners and picks
  up new builds. One active runner per build across processes and machines (advisory lock); the
  position check under ``FOR UPDATE`` keeps it exactly-once even if two ever overlap.
- A handler error (or an event the code cannot decode) stops that build only: the events before
  the failing one are committed, the failing event's position and the error (its class, no value:
  ``failures.py``) are recorded and shown in the status (``status.py``); a restart resumes from
  the committed position.
"""

from __future__ import annotations

import contextlib
import gc
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import psycopg
import structlog
from psycopg import sql
from psycopg_pool import ConnectionPool

from projections.engine.failures import HandlerFailed as HandlerFailed
from projections.engine.failures import Undecodable, describe, record_failure
from projections.engine.model import Batch, Build, Event, Projection
from projections.engine.status import FailedBuild, failed_builds, read_status, wait_for_position
from projections.engine.status import ProjectionStatus as ProjectionStatus

log = structlog.get_logger("otklik.projections")

Decoder = Callable[[str, bytes], Any]
NOTIFY_CHANNEL = "otklik_projections"  # the engine announces "name:version:generation:position"


@dataclass
class Progress:
    """What a rebuild reports as it goes."""

    start: int
    position: int
    head: int
    events: int
    seconds: float
    activated: bool = False

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


@dataclass
class _Target:
    """A build this process is running."""

    projection: Projection
    build: Build
    position: int
    cache: dict[Any, Any] = field(default_factory=dict)
    last_commit: float = field(default_factory=time.monotonic)
    rate: float = 0.0
    moved: bool = False  # another runner committed in between: stop, do not compete
    batch_seconds: float = 0.0  # how long the last batch took to apply and commit

    @property
    def tables(self) -> dict[str, str]:
        return {t: self.build.physical(t) for t in self.projection.tables}


_gc_lock = threading.Lock()
_gc_pausers = 0


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch allocates many thousands of objects
    (none of them in cycles: events and states are msgspec structs with gc=False)."""
    global _gc_pausers
    with _gc_lock:
        _gc_pausers += 1
        gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0:
                gc.enable()


def _is_infrastructure(error: BaseException) -> bool:
    """Connection trouble is retried; anything else raised by a handler stops its build."""
    return isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError))


class ProjectionEngine:
    def __init__(
        self,
        *,
        pool: ConnectionPool,
        conninfo: str,
        projections: Sequence[Projection],
        decode: Decoder,
        events_table: str = "otklik_events",
        live_batch: int = 5_000,
        rebuild_batch: int = 50_000,
        batch_seconds: float = 5.0,
        poll_seconds: float = 1.0,
        stall_seconds: float = 30.0,
        statement_timeout_ms: int = 120_000,
        channel: str | None = None,
    ) -> None:
        self.pool = pool
        self.conninfo = conninfo
        self.projections = {p.name: p for p in projections}
        self.decode = decode
        self.events_table = events_table
        self.live_batch = live_batch
        self.rebuild_batch = rebuild_batch
        self.batch_seconds = batch_seconds
        self.poll_seconds = poll_seconds
        self.stall_seconds = stall_seconds
        self.statement_timeout_ms = statement_timeout_ms
        # the event store NOTIFYs on this channel after every append
        self.channel = channel or events_table.replace(".", "_")
        self._stop = threading.Event()
        self._threads: dict[Build, threading.Thread] = {}
        self._finished: set[Build] = set()  # failed or retired: not restarted by the watchdog
        self._watchdog: threading.Thread | None = None

    # --- the registry of builds ----------------------------------------------------------------
    def by_name(self, name: str) -> Projection:
        try:
            return self.projections[name]
        except KeyError:
            known = ", ".join(sorted(self.projections))
            raise KeyError(f"no projection named {name!r}; there are: {known}") from None

    def ensure(self) -> None:
        """Register the first build of every declared projection version that has none, and
        create the tables of every runnable build (idempotent)."""
        with self.pool.connection() as conn, conn.transaction():
            for projection in self.projections.values():
                conn.execute(
                    "INSERT INTO projection_builds (name, version, generation)"
                    " SELECT %(n)s, %(v)s, 1 WHERE NOT EXISTS (SELECT FROM projection_builds"
                    " WHERE name = %(n)s AND version = %(v)s)",
                    {"n": projection.name, "v": projection.version},
                )
        for build in self.runnable():
            self._create_tables(build)

    def runnable(self, names: Sequence[str] | None = None) -> list[Build]:
        """Builds of the declared versions that are building or live."""
        wanted = [self.projections[n] for n in names] if names else self.projections.values()
        builds: list[Build] = []
        with self.pool.connection() as conn:
            for projection in wanted:
                rows = conn.execute(
                    "SELECT generation FROM projection_builds WHERE name = %s AND version = %s"
                    " AND state IN ('building', 'live') ORDER BY generation",
                    (projection.name, projection.version),
                ).fetchall()
                builds.extend(Build(projection.name, projection.version, r[0]) for r in rows)
        return builds

    def _create_tables(self, build: Build) -> None:
        projection = self.projections[build.name]
        names = {t: build.physical(t) for t in projection.tables}
        with self.pool.connection() as conn, conn.transaction():
            exists = conn.execute(
                "SELECT to_regclass(%s) IS NOT NULL", (names[projection.tables[0]],)
            ).fetchone()
            if exists and exists[0]:
                return
            conn.execute(projection.ddl.format(**names))  # names are identifiers we made
            _grant_readers(conn)
        log.info("projection.tables_created", build=build.label)

    def new_generation(self, name: str, lock: psycopg.Connection[Any] | None = None) -> Build:
        """Register a fresh build of ``name``'s current version beside the live one. With
        ``lock`` (a session connection), take the build's advisory lock before anyone sees it."""
        projection = self.by_name(name)
        while True:
            with self.pool.connection() as conn:
                row = conn.execute(
                    "SELECT coalesce(max(generation), 0) + 1 FROM projection_builds"
                    " WHERE name = %s AND version = %s",
                    (name, projection.version),
                ).fetchone()
                assert row is not None
                build = Build(name, projection.version, int(row[0]))
                if lock is not None:
                    _try_lock(lock, build)
                try:
                    conn.execute(
                        "INSERT INTO projection_builds (name, version, generation)"
                        " VALUES (%s, %s, %s)",
                        (build.name, build.version, build.generation),
                    )
                    conn.commit()
                except psycopg.errors.UniqueViolation:
                    conn.rollback()
                    if lock is not None:
                        _unlock(lock, build)
                    continue
            self._create_tables(build)
            log.info("projection.build_registered", build=build.label)
            return build

    def building(self, name: str) -> Build | None:
        """The build of ``name``'s current version that is being built, if any."""
        projection = self.by_name(name)
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT generation FROM projection_builds WHERE name = %s AND version = %s"
                " AND state = 'building' ORDER BY generation DESC LIMIT 1",
                (name, projection.version),
            ).fetchone()
        return Build(name, projection.version, row[0]) if row else None

    def drop(self, build: Build) -> None:
        """Drop a retired build's tables (the active one cannot be dropped)."""
        projection = self.by_name(build.name)
        with self.pool.connection() as conn, conn.transaction():
            row = conn.execute(
                "SELECT active, state FROM projection_builds WHERE name = %s AND version = %s"
                " AND generation = %s FOR UPDATE",
                (build.name, build.version, build.generation),
            ).fetchone()
            if row is None:
                raise KeyError(f"no build {build.label}")
            if row[0]:
                raise ValueError(f"{build.label} is active; build and activate another first")
            for table in projection.tables if build.version == projection.version else ():
                conn.execute(
                    sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(
                        sql.Identifier(build.physical(table))
                    )
                )
            conn.execute(
                "UPDATE projection_builds SET state = 'dropped', updated_at = now()"
                " WHERE name = %s AND version = %s AND generation = %s",
                (build.name, build.version, build.generation),
            )

    # --- reading the log -----------------------------------------------------------------------
    def head(self) -> int:
        with self.pool.connection() as conn:
            row = conn.execute(
                sql.SQL("SELECT coalesce(max(notification_id), 0) FROM {}").format(
                    sql.Identifier(self.events_table)
                )
            ).fetchone()
        return int(row[0]) if row else 0

    def read(self, after: int, limit: int) -> list[tuple[int, str, bytes]]:
        """Raw rows (position, stored topic, bytes) after ``after``, at most ``limit``; fewer
        than ``limit`` means the head of the log was reached."""
        query = sql.SQL(
            "SELECT notification_id, topic, state FROM {} WHERE notification_id > %s"
            " ORDER BY notification_id LIMIT %s"
        ).format(sql.Identifier(self.events_table))
        with self.pool.connection() as conn, conn.cursor(binary=True) as cur:
            cur.execute(query, (after, limit))
            return cur.fetchall()

    # --- one batch --------------------------------------------------------------------------------
    def _targets(self, builds: Sequence[Build]) -> list[_Target]:
        targets = []
        with self.pool.connection() as conn:
            for build in builds:
                row = conn.execute(
                    "SELECT position FROM projection_builds"
                    " WHERE name = %s AND version = %s AND generation = %s",
                    (build.name, build.version, build.generation),
                ).fetchone()
                if row is None:
                    raise KeyError(f"no build {build.label}")
                targets.append(_Target(self.projections[build.name], build, int(row[0])))
        return targets

    def _commit(
        self, target: _Target, events: Sequence[Event], last: int, count: int
    ) -> HandlerFailed | None:
        """Apply one batch to one build and commit it with the build's new position ``last``,
        in one transaction. Returns the failure when the handler raised (see ``_isolate``);
        connection trouble propagates. The caller has paused the garbage collector. A build
        already at or past ``last`` (ahead of others in its group) is left alone: a position
        never moves backwards."""
        if last <= target.position:
            return None
        try:
            with self.pool.connection() as conn, conn.transaction():
                conn.execute(
                    sql.SQL("SET LOCAL statement_timeout = {}").format(
                        sql.Literal(self.statement_timeout_ms)
                    )
                )
                if not self._claim(conn, target):
                    return None
                failure: HandlerFailed | None = None
                try:
                    with conn.transaction():
                        target.projection.apply(self._batch(conn, events, target, target.cache))
                except Exception as error:
                    if _is_infrastructure(error):
                        raise
                    first = events[0].position if events else last
                    failure = HandlerFailed(target.build, first, error)
                else:
                    self._advance(conn, target, last, count)
        except BaseException:
            target.cache.clear()
            raise
        if failure is None:
            target.position = last
            return None
        target.cache.clear()
        return self._isolate(target, events, last, count, failure)

    def _batch(
        self,
        conn: psycopg.Connection[Any],
        events: Sequence[Event],
        target: _Target,
        cache: dict[Any, Any],
    ) -> Batch:
        raw = getattr(target.projection, "raw", False)
        return Batch(
            conn, events, target.build, target.tables, cache, self.decode, self.events_table, raw
        )

    def step(self, targets: Sequence[_Target], limit: int) -> tuple[int, list[HandlerFailed]]:
        """Read the next batch and apply it to each build in turn (live mode, small groups);
        returns (events read, failures)."""
        after = min(t.position for t in targets)
        rows = self.read(after, limit)
        if not rows:
            return 0, []
        last = rows[-1][0]
        failures = []
        with _gc_paused():
            decoded = self._decode(rows, targets)
            for target in targets:
                events = self._select(target, decoded, target.position)
                failure = self._commit(target, events, last, len(rows))
                target.moved = False  # live mode holds the lock: a stray writer was re-synced
                if failure is not None:
                    failures.append(failure)
        return len(rows), failures

    def _claim(self, conn: psycopg.Connection[Any], target: _Target) -> bool:
        """Lock the build's row; refuse the batch when its position moved (another runner) or
        the build was retired, and re-sync."""
        row = conn.execute(
            "SELECT position, state FROM projection_builds"
            " WHERE name = %s AND version = %s AND generation = %s FOR UPDATE",
            (target.build.name, target.build.version, target.build.generation),
        ).fetchone()
        if row is None or row[1] not in ("building", "live"):
            self._finished.add(target.build)
            return False
        if int(row[0]) != target.position:
            target.position = int(row[0])
            target.cache.clear()
            target.moved = True
            return False
        return True

    def _decode(
        self, rows: Sequence[tuple[int, str, bytes]], targets: Sequence[_Target]
    ) -> list[Event]:
        """The batch's events that at least one of the builds handles, each decoded once. Raw
        projections (they read the stored rows themselves) need every position but no decoding:
        their events carry ``event=None`` unless another build of the group wants that type."""
        raw = any(getattr(t.projection, "raw", False) for t in targets)
        wanted: set[str] | None = set()
        for target in targets:
            if getattr(target.projection, "raw", False):
                continue
            if target.projection.topics is None:
                wanted = None
                break
            assert wanted is not None
            wanted |= target.projection.topics
        decode = self.decode
        events = []
        for position, topic, data in rows:
            name = topic.partition("@")[0]
            if wanted is None or name in wanted:
                try:
                    event = decode(topic, data)
                except Exception as error:  # fails the builds that want it, at its position
                    event = Undecodable(describe(error))
                events.append(Event(position=position, topic=name, event=event))
            elif raw:
                events.append(Event(position=position, topic=name, event=None))
        return events

    @staticmethod
    def _select(target: _Target, events: list[Event], after: int) -> list[Event]:
        """The events after ``after`` that the build handles."""
        if events and events[0].position <= after:
            events = [e for e in events if e.position > after]
        wanted = target.projection.topics
        if wanted is not None:
            events = [e for e in events if e.topic in wanted]
        return events

    def _advance(
        self, conn: psycopg.Connection[Any], target: _Target, position: int, count: int
    ) -> None:
        now = time.monotonic()
        elapsed = max(now - target.last_commit, 1e-6)
        instant = count / elapsed
        target.rate = instant if target.rate == 0 else 0.7 * target.rate + 0.3 * instant
        target.last_commit = now
        build = target.build
        conn.execute(
            "UPDATE projection_builds SET position = %s, events_per_second = %s, error = NULL,"
            " error_position = NULL, failed_at = NULL, updated_at = now()"
            " WHERE name = %s AND version = %s AND generation = %s",
            (position, round(target.rate, 1), build.name, build.version, build.generation),
        )
        conn.execute(
            "SELECT pg_notify(%s, %s)",
            (NOTIFY_CHANNEL, f"{build.name}:{build.version}:{build.generation}:{position}"),
        )

    def _isolate(
        self,
        target: _Target,
        events: Sequence[Event],
        last: int,
        count: int,
        failure: HandlerFailed,
    ) -> HandlerFailed | None:
        """After a handler failed on a batch: retry it with an empty cache; if it fails again,
        find the first event it fails on (bisecting over savepoints), commit the events before
        it, and record the failure at that event's position."""
        error: BaseException = failure.error
        with self.pool.connection() as conn, conn.transaction():
            if not self._claim(conn, target):
                return None
            try:
                with conn.transaction():
                    target.projection.apply(self._batch(conn, events, target, target.cache))
                self._advance(conn, target, last, count)
                target.position = last
                return None
            except Exception as caught:
                target.cache.clear()
                if _is_infrastructure(caught):
                    raise
                error = caught
            good, bad = 0, len(events)  # events[:good] apply cleanly, events[:bad] do not
            while bad - good > 1:
                middle = (good + bad) // 2
                try:
                    with conn.transaction(force_rollback=True):
                        target.projection.apply(self._batch(conn, events[:middle], target, {}))
                    good = middle
                except Exception as caught:
                    if _is_infrastructure(caught):
                        raise
                    bad, error = middle, caught
            if good:
                target.projection.apply(self._batch(conn, events[:good], target, {}))
                position = events[good].position - 1
                self._advance(conn, target, position, good)
                target.position = position
        target.cache.clear()
        failed = HandlerFailed(
            target.build, events[good].position if events else failure.position, error
        )
        self._record_failure(failed)
        return failed

    def _record_failure(self, failure: HandlerFailed) -> None:
        record_failure(self.pool, failure)
        self._finished.add(failure.build)

    # --- switching reads to a build -------------------------------------------------------------
    def _create_indexes(self, build: Build) -> None:
        """The secondary indexes, then fresh planner statistics: a table filled in bulk has
        none until autovacuum comes by, and its first queries would be planned blind."""
        projection = self.projections[build.name]
        names = {t: build.physical(t) for t in projection.tables}
        with self.pool.connection() as conn, conn.transaction():
            if projection.indexes.strip():
                conn.execute(projection.indexes.format(**names))
            for table in names.values():
                conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))

    def try_activate(self, build: Build) -> bool:
        """Point the views at ``build`` when it has caught up with the active build (or with the
        head of the log when there is none); retire the previous one. One transaction: readers
        see the old build or the new one, never a mix and never a half-built one."""
        projection = self.projections[build.name]
        if not self._is_building(build):
            return False
        self._create_indexes(build)
        try:
            with self.pool.connection() as conn, conn.transaction():
                conn.execute("SET LOCAL lock_timeout = '5s'")
                rows = conn.execute(
                    "SELECT version, generation, position, active, state FROM projection_builds"
                    " WHERE name = %s AND (active OR (version = %s AND generation = %s))"
                    " FOR UPDATE",
                    (build.name, build.version, build.generation),
                ).fetchall()
                mine = next(
                    (r for r in rows if (r[0], r[1]) == (build.version, build.generation)), None
                )
                if mine is None or mine[4] != "building" or mine[3]:
                    return False
                current = next((r for r in rows if r[3]), None)
                if current is not None:
                    if mine[2] < current[2]:
                        return False
                else:
                    head = conn.execute(
                        sql.SQL("SELECT coalesce(max(notification_id), 0) FROM {}").format(
                            sql.Identifier(self.events_table)
                        )
                    ).fetchone()
                    if head is None or mine[2] < head[0]:
                        return False
                for table in projection.tables:
                    conn.execute(
                        sql.SQL(
                            "DROP VIEW IF EXISTS {view}; CREATE VIEW {view} AS"
                            " SELECT * FROM {table}"
                        ).format(
                            view=sql.Identifier(table),
                            table=sql.Identifier(build.physical(table)),
                        )
                    )
                # The build it replaces, and any older one still building (superseded), retire.
                conn.execute(
                    "UPDATE projection_builds SET active = false, state = 'retired',"
                    " retired_at = now(), updated_at = now() WHERE name = %s"
                    " AND (active OR (state = 'building' AND (version, generation) < (%s, %s)))",
                    (build.name, build.version, build.generation),
                )
                conn.execute(
                    "UPDATE projection_builds SET active = true, state = 'live',"
                    " activated_at = now(), updated_at = now()"
                    " WHERE name = %s AND version = %s AND generation = %s",
                    (build.name, build.version, build.generation),
                )
                _grant_readers(conn)
        except psycopg.errors.LockNotAvailable:
            return False
        log.info("projection.activated", build=build.label, position=mine[2])
        return True

    # --- catching up ----------------------------------------------------------------------------
    def catch_up(
        self,
        builds: Sequence[Build],
        *,
        limit: int | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        activate: bool = True,
    ) -> Progress:
        """Run ``builds`` to the head of the log, then activate those that are building.

        A pipeline: this thread reads and decodes each batch once (the next read overlaps the
        current batch's writes); each build applies and commits its batches in order on its own
        thread and connection, so one build's database writes overlap another's Python work.
        Raises the first HandlerFailed once the other builds have caught up."""
        self._finished.difference_update(builds)  # an explicit run retries failed builds
        targets = self._targets(builds)
        batch = limit or self.rebuild_batch
        start = min((t.position for t in targets), default=0)
        progress = Progress(start=start, position=start, head=self.head(), events=0, seconds=0.0)
        if not targets:
            return progress
        started = time.perf_counter()
        failures: list[HandlerFailed] = []
        errors: list[BaseException] = []
        queues: dict[Build, queue.Queue[tuple[list[Event], int, int] | None]] = {
            t.build: queue.Queue(maxsize=2) for t in targets
        }
        stopped: set[Build] = set()

        def apply_in_order(target: _Target) -> None:
            feed = queues[target.build]
            while (item := feed.get()) is not None:
                if target.build in stopped:
                    continue  # drain
                try:
                    began = time.perf_counter()
                    with _gc_paused():
                        failure = self._commit(target, *item)
                    target.batch_seconds = time.perf_counter() - began
                except BaseException as error:
                    errors.append(error)
                    stopped.add(target.build)
                    continue
                if failure is not None:
                    failures.append(failure)
                    stopped.add(target.build)
                elif target.moved or target.build in self._finished:
                    stopped.add(target.build)  # another runner has it, or it was retired

        workers = [
            threading.Thread(target=apply_in_order, args=(t,), daemon=True, name=t.build.label)
            for t in targets
        ]
        for worker in workers:
            worker.start()
        planned = {t.build: t.position for t in targets}
        try:
            with contextlib.ExitStack() as stack:
                reader = stack.enter_context(ThreadPoolExecutor(1, "projection-reader"))
                size = batch  # adapted so that a batch commits within about batch_seconds
                upcoming = reader.submit(self.read, start, size)
                while not errors:
                    rows = upcoming.result()
                    at_end = len(rows) < size
                    if not rows:
                        break
                    last = rows[-1][0]
                    slowest = max((t.batch_seconds for t in targets), default=0.0)
                    if slowest > self.batch_seconds:
                        size = max(1_000, size // 2)
                    elif slowest < self.batch_seconds / 4:
                        size = min(batch, size * 2)
                    if not at_end:
                        upcoming = reader.submit(self.read, last, size)
                    with _gc_paused():
                        running = [t for t in targets if t.build not in stopped]
                        decoded = self._decode(rows, running)
                        for target in running:
                            if planned[target.build] >= last:
                                continue  # this build is ahead of the group's slowest
                            events = self._select(target, decoded, planned[target.build])
                            planned[target.build] = last
                            queues[target.build].put((events, last, len(rows)))
                    progress.events += len(rows)
                    live = [t.position for t in targets if t.build not in stopped]
                    progress.position = min(live, default=last)
                    progress.head = max(progress.head, last)
                    progress.seconds = time.perf_counter() - started
                    if on_progress is not None:
                        on_progress(progress)
                    if at_end or len(stopped) == len(targets):
                        break
                upcoming.cancel()
        finally:
            for target in targets:
                queues[target.build].put(None)
            for worker in workers:
                worker.join()
        if errors:
            raise errors[0]
        progress.seconds = time.perf_counter() - started
        live_targets = [t for t in targets if t.build not in stopped]
        progress.position = min((t.position for t in live_targets), default=progress.position)
        progress.head = max(progress.head, self.head())
        if on_progress is not None:
            on_progress(progress)
        if activate:
            activated = [self.try_activate(t.build) for t in live_targets]
            progress.activated = all(activated) and bool(activated)
            progress.seconds = time.perf_counter() - started  # indexes and switch included
        if failures:
            raise failures[0]
        return progress

    def catch_up_all(self) -> None:
        """Bring every runnable build to the head and activate what can be (tests, CLI)."""
        self.ensure()
        builds = self.runnable()
        if builds:
            self.catch_up(builds)
            for build in builds:
                if self._is_building(build):
                    self.try_activate(build)

    def _is_building(self, build: Build) -> bool:
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT state FROM projection_builds"
                " WHERE name = %s AND version = %s AND generation = %s",
                (build.name, build.version, build.generation),
            ).fetchone()
        return bool(row and row[0] == "building")

    def prepare(
        self, names: Sequence[str], *, resume: bool, lock: psycopg.Connection[Any] | None = None
    ) -> list[Build]:
        """The builds a rebuild of ``names`` runs: the unfinished one of each (a crash, Ctrl-C)
        when ``resume``, else a new generation beside the live one."""
        builds = []
        for name in names:
            existing = self.building(name) if resume else None
            builds.append(existing or self.new_generation(name, lock))
        return builds

    def rebuild(
        self,
        names: Sequence[str],
        *,
        on_progress: Callable[[Progress], None] | None = None,
        resume: bool = True,
    ) -> tuple[list[Build], Progress]:
        """Build ``names`` afresh beside their live builds, in one shared pass over the log, and
        switch reads to them once caught up. Resumes a build left unfinished unless ``resume``
        is false. Holds each build's advisory lock while it runs; a build another worker holds
        is followed until it takes over."""
        with psycopg.connect(self.conninfo, autocommit=True) as lock:
            builds = self.prepare(names, resume=resume, lock=lock)
            mine = [b for b in builds if _try_lock(lock, b)]
            progress = self.finish(mine, on_progress=on_progress)
            others = [b for b in builds if b not in mine]
        if others:
            self.follow(others, on_progress=on_progress)
        progress.activated = not any(self._is_building(b) for b in builds)
        return builds, progress

    def run_build(self, build: Build) -> Progress:
        """Run one registered build to the head and switch reads to it (a worker process of a
        parallel rebuild)."""
        with psycopg.connect(self.conninfo, autocommit=True) as lock:
            if _try_lock(lock, build):
                return self.finish([build])
        return self.follow([build])

    def finish(
        self, builds: Sequence[Build], *, on_progress: Callable[[Progress], None] | None = None
    ) -> Progress:
        """Catch ``builds`` (whose locks the caller holds) up with the head and activate them;
        under a steady load the live build may be a step ahead, so a few short rounds follow."""
        progress = self.catch_up(builds, on_progress=on_progress)
        for _ in range(100):
            waiting = [b for b in builds if self._is_building(b)]
            if not waiting:
                break
            self.catch_up(waiting, limit=self.live_batch)
            time.sleep(0.01)
        progress.activated = not any(self._is_building(b) for b in builds)
        return progress

    def follow(
        self,
        builds: Sequence[Build],
        *,
        on_progress: Callable[[Progress], None] | None = None,
        timeout: float | None = None,
    ) -> Progress:
        """Wait while other workers run ``builds``, reporting their progress, until none of them
        is building any more (or ``timeout``)."""
        started = time.perf_counter()
        start = min(self.positions(builds).values(), default=0)
        progress = Progress(start=start, position=start, head=self.head(), events=0, seconds=0.0)
        while True:
            positions = self.positions(builds)
            progress.position = min(positions.values(), default=progress.position)
            progress.head = max(self.head(), progress.position)
            progress.events = progress.position - start
            progress.seconds = time.perf_counter() - started
            if on_progress is not None:
                on_progress(progress)
            if not any(self._is_building(b) for b in builds):
                progress.activated = True
                return progress
            if timeout is not None and progress.seconds > timeout:
                return progress
            time.sleep(0.25)

    def positions(self, builds: Sequence[Build]) -> dict[Build, int]:
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT name, version, generation, position FROM projection_builds"
                " WHERE (name, version, generation) IN"
                " (SELECT * FROM unnest(%s::text[], %s::int[], %s::int[]))",
                (
                    [b.name for b in builds],
                    [b.version for b in builds],
                    [b.generation for b in builds],
                ),
            ).fetchall()
        return {Build(r[0], r[1], r[2]): int(r[3]) for r in rows}

    # --- live --------------------------------------------------------------------------------------
    def start(self, first_build_limit: int = 100_000) -> None:
        """Run every runnable build in its own thread, and a watchdog. A projection that has no
        active build yet and at most ``first_build_limit`` events to read is built before this
        returns, so a fresh server answers from its first request; a longer first build runs
        in the background and its queries answer 503 until it takes over."""
        self._stop.clear()
        self.ensure()
        head = self.head()
        for build in self.runnable():
            if self.active(build.name) is None and self._is_building(build):
                targets = self._targets([build])
                if head - targets[0].position <= first_build_limit:
                    with contextlib.suppress(HandlerFailed):
                        self.catch_up([build])
        self._spawn_missing()
        self._watchdog = threading.Thread(
            target=self._watch, daemon=True, name="projection-watchdog"
        )
        self._watchdog.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        threads = list(self._threads.values())
        if self._watchdog is not None:
            threads.append(self._watchdog)
        for thread in threads:
            thread.join(timeout)
        self._threads.clear()
        self._watchdog = None

    def _spawn_missing(self) -> None:
        for build in self.runnable():
            thread = self._threads.get(build)
            if build in self._finished or (thread is not None and thread.is_alive()):
                continue
            if thread is not None:
                log.warning("projection.runner_restarted", build=build.label)
            thread = threading.Thread(
                target=self._run_live, args=(build,), daemon=True, name=f"projection-{build.label}"
            )
            self._threads[build] = thread
            thread.start()

    def _watch(self) -> None:
        """The watchdog: picks up new builds (a rebuild started elsewhere, a version bump) and
        restarts runner threads that died. Stalls are reported by ``status``."""
        while not self._stop.wait(self.poll_seconds * 5):
            try:
                self._create_missing_tables_and_spawn()
            except Exception as error:  # the database is away: try again on the next round
                log.warning("projection.watchdog_error", error=type(error).__name__)

    def _create_missing_tables_and_spawn(self) -> None:
        for build in self.runnable():
            if build not in self._threads:
                self._create_tables(build)
        self._spawn_missing()

    def _run_live(self, build: Build) -> None:
        while not self._stop.is_set() and build not in self._finished:
            try:
                self._live_session(build)
            except HandlerFailed:
                return  # recorded; the build stays stopped until a restart
            except Exception as error:  # connection lost, database restarting: retry
                log.warning("projection.retry", build=build.label, error=type(error).__name__)
                self._stop.wait(max(self.poll_seconds, 1.0))

    def _live_session(self, build: Build) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as listener:
            if not _try_lock(listener, build):
                self._stop.wait(self.poll_seconds * 5)  # another runner has it; stand by
                return
            listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            log.info("projection.live", build=build.label)
            targets = self._targets([build])
            while not self._stop.is_set() and build not in self._finished:
                building = self._is_building(build)
                limit = self.rebuild_batch if building else self.live_batch
                while True:
                    count, failed = self.step(targets, limit)
                    if failed:
                        raise failed[0]
                    if count < limit or self._stop.is_set() or build in self._finished:
                        break
                if building:
                    self.try_activate(build)
                # Woken by NOTIFY; the timeout is the fallback for a lost notification.
                for _ in listener.notifies(timeout=self.poll_seconds, stop_after=1):
                    break

    def checksums(self, build: Build) -> dict[str, str]:
        """An md5 of every table of a build, over its rows in a canonical order: two builds of
        the same version from the same log must give the same checksums."""
        projection = self.by_name(build.name)
        result = {}
        with self.pool.connection() as conn:
            for table in projection.tables:
                row = conn.execute(
                    sql.SQL(
                        "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n'"
                        " ORDER BY t::text)), '') FROM {} AS t"
                    ).format(sql.Identifier(build.physical(table)))
                ).fetchone()
                result[table] = str(row[0]) if row else ""
        return result

    def active(self, name: str) -> Build | None:
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT version, generation FROM projection_builds WHERE name = %s AND active",
                (name,),
            ).fetchone()
        return Build(name, row[0], row[1]) if row else None

    # --- status and waiting ------------------------------------------------------------------------
    def wait_for(self, name: str, position: int, timeout: float = 5.0) -> int:
        """Wait until ``name``'s active build has applied ``position``; its position, or
        ProjectionBehind after ``timeout`` seconds, or ProjectionFailed at once."""
        return wait_for_position(self.pool, name, position, timeout)

    def failed(self) -> list[FailedBuild]:
        """The builds stopped on an event (what readiness reports)."""
        return failed_builds(self.pool, timeout=2)

    def status(self) -> list[ProjectionStatus]:
        return read_status(self.pool, self.events_table, self.stall_seconds, self.head())


def _grant_readers(conn: psycopg.Connection[Any]) -> None:
    """The application role reads the read models (tables and views) and nothing more."""
    conn.execute(
        """
        DO $$ BEGIN
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'otklik_app') THEN
                EXECUTE 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO otklik_app';
            END IF;
        END $$
        """
    )


def _try_lock(conn: psycopg.Connection[Any], build: Build) -> bool:
    row = conn.execute("SELECT pg_try_advisory_lock(%s)", (build.lock_key,)).fetchone()
    return bool(row and row[0])


def _unlock(conn: psycopg.Connection[Any], build: Build) -> None:
    conn.execute("SELECT pg_advisory_unlock(%s)", (build.lock_key,))
