"""Live mode: the live views in one thread that reads each batch once and commits all their writes
and positions in one transaction; each reactor and each build still building in a thread of its
own. Every runner is woken by LISTEN/NOTIFY with a polling fallback (a lost notification costs at
most ``poll_seconds``), and the notifications that arrive while it works are one wake-up (at most
one batch every ``coalesce_seconds``); a watchdog restarts dead runners and picks up new builds;
the reactors' timers. One active runner per build across processes and machines (advisory lock);
the position check under ``FOR UPDATE`` keeps it exactly-once even if two ever overlap."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from typing import Any

import psycopg
import structlog
from psycopg import sql

from projections.engine.applier import Applier
from projections.engine.ddl import Tables
from projections.engine.eventlog import EventLog
from projections.engine.failures import HandlerFailed
from projections.engine.model import Build
from projections.engine.pipeline import CatchUp
from projections.engine.react import ReactorBatches
from projections.engine.reactor import Lane, Reacting
from projections.engine.registry import Registry, try_lock, unlock
from projections.engine.switch import Switch
from projections.engine.tracking import Target

log = structlog.get_logger("otklik.projections")


@dataclass(frozen=True)
class LiveSettings:
    conninfo: str
    channel: str  # the event store NOTIFYs on it after every append
    poll_seconds: float
    live_batch: int
    rebuild_batch: int
    # at most one batch per runner this often: under a stream of appends a wake-up per append
    # would cost each runner a read and a transaction per command
    coalesce_seconds: float = 0.02
    # a reactor's (its commands are not read back by a request; each of its batches is a
    # transaction whose NOTIFY serialises with every other's commit)
    reactor_coalesce_seconds: float = 0.1


class LiveRunner:
    def __init__(
        self,
        settings: LiveSettings,
        registry: Registry,
        tables: Tables,
        log: EventLog,
        applier: Applier,
        catch_up: CatchUp,
        switch: Switch,
        reactors: ReactorBatches,
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.tables = tables
        self.log = log
        self.applier = applier
        self.catch_up = catch_up
        self.switch = switch
        self.reactors = reactors
        self._stop = threading.Event()
        self._threads: dict[Build, threading.Thread] = {}
        self._watchdog: threading.Thread | None = None
        self._group: threading.Thread | None = None  # the live views, together
        self._grouped: set[Build] = set()  # the builds the group runs or will try to
        self._lock = threading.Lock()
        self._regroup = threading.Event()  # a build was handed to the group: lock it now
        self.lane: Lane = "all"

    def start(self, first_build_limit: int = 100_000, lane: Lane = "all") -> None:
        """Run every runnable build of ``lane`` (``reactor.py``), and a watchdog. A view that has no
        active build yet and at most ``first_build_limit`` events to read is built before this
        returns, so a fresh server answers from its first request; a longer first build runs
        in the background and its queries answer 503 until it takes over. (A reactor serves no
        reads: its runner catches it up.)"""
        self._stop.clear()
        self.lane = lane
        head = self.log.head()
        for build in self.registry.runnable(lane=self.lane):
            if isinstance(self.registry.declared[build.name], Reacting):
                continue
            if self.registry.active(build.name) is None and self.registry.is_building(build):
                (target,) = self.applier.targets([build])
                if head - target.position <= first_build_limit:
                    with contextlib.suppress(HandlerFailed):
                        self.catch_up.run([build])
        self._spawn_missing()
        self._watchdog = threading.Thread(
            target=self._watch, daemon=True, name="projection-watchdog"
        )
        self._watchdog.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        threads = list(self._threads.values())
        threads += [t for t in (self._watchdog, self._group) if t is not None]
        for thread in threads:
            thread.join(timeout)
        self._threads.clear()
        self._watchdog = None
        self._group = None
        with self._lock:
            self._grouped.clear()

    def _spawn_missing(self) -> None:
        for build in self.registry.runnable(lane=self.lane):
            thread = self._threads.get(build)
            if build in self.applier.finished or (thread is not None and thread.is_alive()):
                continue
            if self._joins_group(build, fresh=thread is None):
                continue
            if thread is not None:
                log.warning("projection.runner_restarted", build=build.label)
            thread = threading.Thread(
                target=self._run_live, args=(build,), daemon=True, name=f"projection-{build.label}"
            )
            self._threads[build] = thread
            thread.start()

    def _joins_group(self, build: Build, *, fresh: bool = True) -> bool:
        """A live view (not a reactor, not a build still catching up) is run by the group; a
        build whose own runner ended is the group's only if it was handed over."""
        with self._lock:
            grouped = build in self._grouped
        if not grouped and not fresh:
            return False
        if not grouped:
            declared = self.registry.declared[build.name]
            if isinstance(declared, Reacting) or self.registry.is_building(build):
                return False
            with self._lock:
                self._grouped.add(build)
            self._regroup.set()  # the group locks it at its next wake-up, not its next retry
        if self._group is None or not self._group.is_alive():
            self._group = threading.Thread(
                target=self._run_group, daemon=True, name="projection-live-views"
            )
            self._group.start()
        return True

    def _watch(self) -> None:
        """The watchdog: picks up new builds (a rebuild started elsewhere, a version bump) and
        restarts runner threads that died. Stalls are reported by the status."""
        while not self._stop.wait(self.settings.poll_seconds * 5):
            try:
                for build in self.registry.runnable(lane=self.lane):
                    if build not in self._threads and build not in self._grouped:
                        self.tables.create(build)
                self._spawn_missing()
            except Exception as error:  # the database is away: try again on the next round
                log.warning("projection.watchdog_error", error=type(error).__name__)

    def _run_live(self, build: Build) -> None:
        while not self._stop.is_set() and build not in self.applier.finished:
            try:
                if self._live_session(build):  # a view that took over: the group runs it now
                    with self._lock:
                        self._grouped.add(build)
                    self._regroup.set()
                    self._joins_group(build)
                    return
            except HandlerFailed:
                return  # recorded; the build stays stopped until a restart
            except Exception as error:  # connection lost, database restarting: retry
                log.warning("projection.retry", build=build.label, error=type(error).__name__)
                self._stop.wait(max(self.settings.poll_seconds, 1.0))

    def _run_group(self) -> None:
        while not self._stop.is_set():
            try:
                self._group_session()
            except Exception as error:  # connection lost, database restarting: retry
                log.warning("projection.retry", build="live views", error=type(error).__name__)
                self._stop.wait(max(self.settings.poll_seconds, 1.0))

    def _group_session(self) -> None:
        """The live views: each batch read once, all their writes and positions committed in
        one transaction (``Applier.step_views``). A build another runner holds is tried again
        every few polls; a failed or retired one leaves the group."""
        settings = self.settings
        finished = self.applier.finished
        with psycopg.connect(settings.conninfo, autocommit=True) as listener:
            listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(settings.channel)))
            targets: dict[Build, Target] = {}
            retry_at = 0.0
            waker = _Waker(settings.coalesce_seconds, self._stop)
            while not self._stop.is_set():
                if time.monotonic() >= retry_at or self._regroup.is_set():
                    self._regroup.clear()
                    with self._lock:
                        wanted = self._grouped - targets.keys() - finished
                    for build in sorted(wanted, key=lambda b: b.label):
                        if try_lock(listener, build):
                            (targets[build],) = self.applier.targets([build])
                            log.info("projection.live", build=build.label)
                    retry_at = time.monotonic() + settings.poll_seconds * 5
                for build in [b for b in targets if b in finished]:
                    del targets[build]
                    unlock(listener, build)
                    with self._lock:
                        self._grouped.discard(build)
                if targets:
                    group = list(targets.values())
                    while not self._stop.is_set():
                        count, _ = self.applier.step_views(group, settings.live_batch)
                        group = [t for t in group if t.build not in finished]
                        if count < settings.live_batch or not group:
                            break
                waker.wait(listener, settings.poll_seconds)

    def _live_session(self, build: Build) -> bool:
        """Run ``build`` until a stop; True when it is a view that has just taken over (the
        group runs it from then on, once this session's lock is released)."""
        settings = self.settings
        with psycopg.connect(settings.conninfo, autocommit=True) as listener:
            if not try_lock(listener, build):
                self._stop.wait(settings.poll_seconds * 5)  # another runner has it; stand by
                return False
            listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(settings.channel)))
            log.info("projection.live", build=build.label)
            targets = self.applier.targets([build])
            declared = self.registry.declared[build.name]
            timer = _Timer(declared)
            reacting = isinstance(declared, Reacting)
            coalesce = settings.reactor_coalesce_seconds if reacting else settings.coalesce_seconds
            waker = _Waker(coalesce, self._stop)
            building = True  # until the registry says otherwise: a live build stays live
            while not self._stop.is_set() and build not in self.applier.finished:
                building = building and self.registry.is_building(build)
                self._drain(targets, settings.rebuild_batch if building else settings.live_batch)
                if building:
                    if self.switch.try_activate(build) and not reacting:
                        return True
                elif timer.due():
                    self.reactors.tick(build)  # the active build's timer only
                waker.wait(listener, min(self.settings.poll_seconds, timer.left()))
        return False

    def _drain(self, targets: list[Target], limit: int) -> None:
        """Apply batches until the head (or a stop); raise the first failure."""
        build = targets[0].build
        while True:
            count, failed = self.applier.step(targets, limit)
            if failed:
                raise failed[0]
            if count < limit or self._stop.is_set() or build in self.applier.finished:
                return


class _Waker:
    """A runner's wait: until a NOTIFY (or ``timeout``, the polling fallback for a lost one, or
    the next tick), no sooner than ``coalesce`` after the last wake-up; the notifications that
    came meanwhile are consumed with it (one batch reads all they announced)."""

    def __init__(self, coalesce: float, stop: threading.Event) -> None:
        self.coalesce = coalesce
        self.stop = stop
        self.last = 0.0

    def wait(self, listener: psycopg.Connection[Any], timeout: float) -> None:
        for _ in listener.notifies(timeout=max(timeout, 0.0), stop_after=1):
            break
        pause = self.last + self.coalesce - time.monotonic()
        if pause > 0:
            self.stop.wait(pause)
        for _ in listener.notifies(timeout=0):
            pass
        self.last = time.monotonic()


class _Timer:
    """When a reactor's next tick is due (never, for a view or a reactor without a timer)."""

    def __init__(self, declared: object) -> None:
        self.every = declared.tick_seconds if isinstance(declared, Reacting) else None
        self.last = float("-inf")

    def due(self) -> bool:
        if self.every is None or time.monotonic() - self.last < self.every:
            return False
        self.last = time.monotonic()
        return True

    def left(self) -> float:
        if self.every is None:
            return float("inf")
        return max(self.last + self.every - time.monotonic(), 0.0)
