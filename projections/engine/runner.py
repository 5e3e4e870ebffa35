"""The projection engine: the façade that wires the engine's parts and that the composition root,
the CLI and the tests hold.

- Reads the notification log in order, in batches bounded by count and time, decodes each event
  once for every build that wants it (``eventlog.py``), and commits each view build's writes
  together with its new position in one transaction, exactly once (``apply.py``); a reactor's
  build reacts, then tracks its position (``react.py``, contract in ``reactor.py``).
- Every version of a view is built into its own tables (a *build*: ``registry.py``, ``ddl.py``).
  Readers query views named after the logical tables; they point at the active build. A new
  build (a version bump, or ``rebuild``: ``rebuilds.py``) runs beside the active one through the
  catch-up pipeline (``pipeline.py``) and, once it has caught up, takes over in one transaction
  that repoints the views (``switch.py``): zero downtime, never a half-built answer.
- Live mode (``live.py``): one thread per build, woken by LISTEN/NOTIFY with a polling fallback,
  a watchdog, and the reactors' timers.
- A handler error (or an event the code cannot decode) stops that build only: the events before
  the failing one are committed, the failing event's position and the error (its class, no value:
  ``failures.py``) are recorded and shown in the status (``status.py``); a restart resumes from
  the committed position.

Imports point one way: tracking, the registry, the DDL and the log at the bottom; the view and
reactor appliers above them, and ``applier.py`` over both; the switch, the pipeline, rebuilds and
the live runner above that; the status beside; this façade on top.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from projections.engine.applier import Applier
from projections.engine.apply import ViewBatches
from projections.engine.ddl import Tables
from projections.engine.eventlog import Decoder, EventLog
from projections.engine.failures import HandlerFailed as HandlerFailed
from projections.engine.live import LiveRunner, LiveSettings
from projections.engine.model import Build, Projection
from projections.engine.pipeline import CatchUp
from projections.engine.pipeline import Progress as Progress
from projections.engine.react import ReactorBatches
from projections.engine.reactor import Lane, Reacting, Reactor
from projections.engine.rebuilds import OnProgress, Rebuilds
from projections.engine.registry import Registry
from projections.engine.status import FailedBuild, failed_builds, read_status, wait_for_position
from projections.engine.status import ProjectionStatus as ProjectionStatus
from projections.engine.switch import Switch
from projections.engine.tracking import NOTIFY_CHANNEL as NOTIFY_CHANNEL
from projections.engine.tracking import Target


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ProjectionEngine:
    def __init__(
        self,
        *,
        pool: ConnectionPool,
        conninfo: str,
        projections: Sequence[Projection],
        decode: Decoder,
        reactors: Sequence[Reactor] = (),
        clock: Callable[[], datetime] = _utc_now,
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
        self.reactors = {r.name: r for r in reactors}
        self.decode = decode
        self.events_table = events_table
        self.stall_seconds = stall_seconds
        declared: dict[str, Projection] = {
            **self.projections,
            **{r.name: Reacting(r) for r in reactors},
        }
        finished: set[Build] = set()  # failed or retired: not restarted by the watchdog
        self.log = EventLog(pool, events_table, decode)
        self.registry = Registry(pool, declared, events_table)
        self.tables = Tables(pool, declared)
        views = ViewBatches(pool, self.log, finished, statement_timeout_ms)
        self.reacting = ReactorBatches(pool, self.registry, finished, self._wait, clock)
        self.applier = Applier(self.registry, self.log, views, self.reacting, finished)
        self.switch = Switch(self.registry, self.tables)
        self.pipeline = CatchUp(
            self.applier, self.log, self.switch.try_activate, rebuild_batch, batch_seconds
        )
        self.rebuilds = Rebuilds(
            self.registry, self.tables, self.log, self.pipeline, conninfo, live_batch
        )
        # the event store NOTIFYs on this channel after every append
        channel = channel or events_table.replace(".", "_")
        settings = LiveSettings(conninfo, channel, poll_seconds, live_batch, rebuild_batch)
        self.live = LiveRunner(
            settings,
            self.registry,
            self.tables,
            self.log,
            self.applier,
            self.pipeline,
            self.switch,
            self.reacting,
        )

    def _wait(self, name: str, position: int, timeout: float) -> int:
        return wait_for_position(self.pool, name, position, timeout)

    # --- the registry of builds ----------------------------------------------------------------
    def by_name(self, name: str) -> Projection:
        return self.registry.by_name(name)

    def ensure(self) -> None:
        """Register the first build of every declared version that has none, and create the
        tables of every runnable build (idempotent; safe when processes start together: the
        lanes of one server, workers on two machines)."""
        self.registry.register_declared()
        for build in self.registry.runnable():
            self.tables.create(build)

    def runnable(self, names: Sequence[str] | None = None) -> list[Build]:
        """Builds of the declared versions (views and reactors) that are building or live."""
        return self.registry.runnable(names)

    def new_generation(self, name: str, lock: psycopg.Connection[Any] | None = None) -> Build:
        return self.rebuilds.new_generation(name, lock)

    def building(self, name: str) -> Build | None:
        return self.registry.building(name)

    def active(self, name: str) -> Build | None:
        return self.registry.active(name)

    def positions(self, builds: Sequence[Build]) -> dict[Build, int]:
        return self.registry.positions(builds)

    def drop(self, build: Build) -> None:
        """Drop a retired build's tables (the active one cannot be dropped)."""
        self.registry.drop(build)

    def checksums(self, build: Build) -> dict[str, str]:
        return self.tables.checksums(build)

    # --- reading the log and applying batches -----------------------------------------------------
    def head(self) -> int:
        return self.log.head()

    def read(self, after: int, limit: int) -> list[tuple[int, str, bytes]]:
        return self.log.read(after, limit)

    def targets(self, builds: Sequence[Build]) -> list[Target]:
        return self.applier.targets(builds)

    def step(self, targets: Sequence[Target], limit: int) -> tuple[int, list[HandlerFailed]]:
        return self.applier.step(targets, limit)

    # --- catching up, switching, rebuilding -----------------------------------------------------
    def try_activate(self, build: Build) -> bool:
        return self.switch.try_activate(build)

    def catch_up(
        self,
        builds: Sequence[Build],
        *,
        limit: int | None = None,
        on_progress: OnProgress | None = None,
        activate: bool = True,
    ) -> Progress:
        return self.pipeline.run(builds, limit=limit, on_progress=on_progress, activate=activate)

    def catch_up_all(self, rounds: int = 5, lane: Lane = "all") -> None:
        """Bring every runnable build to the head and activate what can be (tests, CLI): the
        views first, then the reactors, which may read the views as of their events; again
        while the reactors' commands moved the head (the redacted copies: the views read them
        too), ``rounds`` times at most. ``lane``: the builds of one lane only."""
        self.ensure()
        for _ in range(rounds):
            head = self.head()
            builds = self.registry.runnable(lane=lane)
            views = [b for b in builds if b.name in self.projections]
            for group in (views, [b for b in builds if b not in views]):
                if group:
                    self.catch_up(group)
                    for build in group:
                        if self.registry.is_building(build):
                            self.try_activate(build)
            if self.head() == head:
                return

    def prepare(
        self, names: Sequence[str], *, resume: bool, lock: psycopg.Connection[Any] | None = None
    ) -> list[Build]:
        return self.rebuilds.prepare(names, resume=resume, lock=lock)

    def rebuild(
        self, names: Sequence[str], *, on_progress: OnProgress | None = None, resume: bool = True
    ) -> tuple[list[Build], Progress]:
        return self.rebuilds.rebuild(names, on_progress=on_progress, resume=resume)

    def run_build(self, build: Build) -> Progress:
        return self.rebuilds.run_build(build)

    def finish(self, builds: Sequence[Build], *, on_progress: OnProgress | None = None) -> Progress:
        return self.rebuilds.finish(builds, on_progress=on_progress)

    def follow(
        self,
        builds: Sequence[Build],
        *,
        on_progress: OnProgress | None = None,
        timeout: float | None = None,
    ) -> Progress:
        return self.rebuilds.follow(builds, on_progress=on_progress, timeout=timeout)

    # --- live ----------------------------------------------------------------------------------
    def start(self, first_build_limit: int = 100_000, lane: Lane = "all") -> None:
        """Register and create what is missing, then run every runnable build of ``lane``
        (``reactor.py``: all, the foreground, or the background reactors) with a watchdog
        (``live.py``)."""
        self.ensure()
        self.live.start(first_build_limit, lane)

    def stop(self, timeout: float = 10.0) -> None:
        self.live.stop(timeout)

    # --- status and waiting ------------------------------------------------------------------------
    def wait_for(self, name: str, position: int, timeout: float = 5.0) -> int:
        """Wait until ``name``'s active build has applied ``position``; its position, or
        ProjectionBehind after ``timeout`` seconds, or ProjectionFailed at once."""
        return wait_for_position(self.pool, name, position, timeout)

    def failed(self) -> list[FailedBuild]:
        """The builds stopped on an event (what readiness reports)."""
        return failed_builds(self.pool, timeout=2)

    def status(self) -> list[ProjectionStatus]:
        reactors = frozenset(self.reactors)
        return read_status(self.pool, self.events_table, self.stall_seconds, self.head(), reactors)
