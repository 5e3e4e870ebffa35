"""Live mode: one thread per build, woken by LISTEN/NOTIFY with a polling fallback (a lost
notification costs at most ``poll_seconds``), a watchdog that restarts dead runners and picks up
new builds, and the reactors' timers. One active runner per build across processes and machines
(advisory lock); the position check under ``FOR UPDATE`` keeps it exactly-once even if two ever
overlap."""

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
from projections.engine.reactor import Reacting
from projections.engine.registry import Registry, try_lock
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

    def start(self, first_build_limit: int = 100_000) -> None:
        """Run every runnable build in its own thread, and a watchdog. A view that has no
        active build yet and at most ``first_build_limit`` events to read is built before this
        returns, so a fresh server answers from its first request; a longer first build runs
        in the background and its queries answer 503 until it takes over. (A reactor serves no
        reads: its runner catches it up.)"""
        self._stop.clear()
        head = self.log.head()
        for build in self.registry.runnable():
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
        if self._watchdog is not None:
            threads.append(self._watchdog)
        for thread in threads:
            thread.join(timeout)
        self._threads.clear()
        self._watchdog = None

    def _spawn_missing(self) -> None:
        for build in self.registry.runnable():
            thread = self._threads.get(build)
            if build in self.applier.finished or (thread is not None and thread.is_alive()):
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
        restarts runner threads that died. Stalls are reported by the status."""
        while not self._stop.wait(self.settings.poll_seconds * 5):
            try:
                for build in self.registry.runnable():
                    if build not in self._threads:
                        self.tables.create(build)
                self._spawn_missing()
            except Exception as error:  # the database is away: try again on the next round
                log.warning("projection.watchdog_error", error=type(error).__name__)

    def _run_live(self, build: Build) -> None:
        while not self._stop.is_set() and build not in self.applier.finished:
            try:
                self._live_session(build)
            except HandlerFailed:
                return  # recorded; the build stays stopped until a restart
            except Exception as error:  # connection lost, database restarting: retry
                log.warning("projection.retry", build=build.label, error=type(error).__name__)
                self._stop.wait(max(self.settings.poll_seconds, 1.0))

    def _live_session(self, build: Build) -> None:
        settings = self.settings
        with psycopg.connect(settings.conninfo, autocommit=True) as listener:
            if not try_lock(listener, build):
                self._stop.wait(settings.poll_seconds * 5)  # another runner has it; stand by
                return
            listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(settings.channel)))
            log.info("projection.live", build=build.label)
            targets = self.applier.targets([build])
            timer = _Timer(self.registry.declared[build.name])
            while not self._stop.is_set() and build not in self.applier.finished:
                building = self.registry.is_building(build)
                self._drain(targets, settings.rebuild_batch if building else settings.live_batch)
                if building:
                    self.switch.try_activate(build)
                elif timer.due():
                    self.reactors.tick(build)  # the active build's timer only
                self._wait(listener, timer)

    def _drain(self, targets: list[Target], limit: int) -> None:
        """Apply batches until the head (or a stop); raise the first failure."""
        build = targets[0].build
        while True:
            count, failed = self.applier.step(targets, limit)
            if failed:
                raise failed[0]
            if count < limit or self._stop.is_set() or build in self.applier.finished:
                return

    def _wait(self, listener: psycopg.Connection[Any], timer: _Timer) -> None:
        """Until a NOTIFY, or the polling fallback for a lost notification, or the next tick."""
        timeout = min(self.settings.poll_seconds, timer.left())
        for _ in listener.notifies(timeout=max(timeout, 0.0), stop_after=1):
            break


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
