"""Rebuilds: new builds beside the live ones (or the unfinished ones resumed), run to the head
under their advisory locks in one shared pass, and switched to; builds another worker holds are
followed until they take over."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import psycopg

from projections.engine.ddl import Tables
from projections.engine.eventlog import EventLog
from projections.engine.model import Build
from projections.engine.pipeline import CatchUp, Progress
from projections.engine.registry import Registry, try_lock

OnProgress = Callable[[Progress], None]


class Rebuilds:
    def __init__(
        self,
        registry: Registry,
        tables: Tables,
        log: EventLog,
        catch_up: CatchUp,
        conninfo: str,
        live_batch: int,
    ) -> None:
        self.registry = registry
        self.tables = tables
        self.log = log
        self.catch_up = catch_up
        self.conninfo = conninfo
        self.live_batch = live_batch

    def new_generation(self, name: str, lock: psycopg.Connection[Any] | None = None) -> Build:
        """A fresh build of ``name``'s current version beside the live one, its tables made."""
        build = self.registry.new_generation(name, lock)
        self.tables.create(build)
        return build

    def prepare(
        self, names: Sequence[str], *, resume: bool, lock: psycopg.Connection[Any] | None = None
    ) -> list[Build]:
        """The builds a rebuild of ``names`` runs: the unfinished one of each (a crash, Ctrl-C)
        when ``resume``, else a new generation beside the live one."""
        builds = []
        for name in names:
            existing = self.registry.building(name) if resume else None
            builds.append(existing or self.new_generation(name, lock))
        return builds

    def rebuild(
        self, names: Sequence[str], *, on_progress: OnProgress | None = None, resume: bool = True
    ) -> tuple[list[Build], Progress]:
        """Build ``names`` afresh beside their live builds, in one shared pass over the log, and
        switch reads to them once caught up. Resumes a build left unfinished unless ``resume``
        is false. Holds each build's advisory lock while it runs; a build another worker holds
        is followed until it takes over."""
        with psycopg.connect(self.conninfo, autocommit=True) as lock:
            builds = self.prepare(names, resume=resume, lock=lock)
            mine = [b for b in builds if try_lock(lock, b)]
            progress = self.finish(mine, on_progress=on_progress)
            others = [b for b in builds if b not in mine]
        if others:
            self.follow(others, on_progress=on_progress)
        progress.activated = not any(self.registry.is_building(b) for b in builds)
        return builds, progress

    def run_build(self, build: Build) -> Progress:
        """Run one registered build to the head and switch reads to it (a worker process of a
        parallel rebuild)."""
        with psycopg.connect(self.conninfo, autocommit=True) as lock:
            if try_lock(lock, build):
                return self.finish([build])
        return self.follow([build])

    def finish(self, builds: Sequence[Build], *, on_progress: OnProgress | None = None) -> Progress:
        """Catch ``builds`` (whose locks the caller holds) up with the head and activate them;
        under a steady load the live build may be a step ahead, so a few short rounds follow."""
        progress = self.catch_up.run(builds, on_progress=on_progress)
        for _ in range(100):
            waiting = [b for b in builds if self.registry.is_building(b)]
            if not waiting:
                break
            self.catch_up.run(waiting, limit=self.live_batch)
            time.sleep(0.01)
        progress.activated = not any(self.registry.is_building(b) for b in builds)
        return progress

    def follow(
        self,
        builds: Sequence[Build],
        *,
        on_progress: OnProgress | None = None,
        timeout: float | None = None,
    ) -> Progress:
        """Wait while other workers run ``builds``, reporting their progress, until none of them
        is building any more (or ``timeout``)."""
        started = time.perf_counter()
        start = min(self.registry.positions(builds).values(), default=0)
        progress = Progress(start=start, position=start, head=self.log.head(), events=0, seconds=0)
        while True:
            positions = self.registry.positions(builds)
            progress.position = min(positions.values(), default=progress.position)
            progress.head = max(self.log.head(), progress.position)
            progress.events = progress.position - start
            progress.seconds = time.perf_counter() - started
            if on_progress is not None:
                on_progress(progress)
            if not any(self.registry.is_building(b) for b in builds):
                progress.activated = True
                return progress
            if timeout is not None and progress.seconds > timeout:
                return progress
            time.sleep(0.25)
