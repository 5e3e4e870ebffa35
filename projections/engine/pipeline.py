"""The catch-up pipeline: runs a group of builds to the head of the log in one shared pass. This
thread's reader reads and decodes each batch once (the next read overlaps the current batch's
writes); each build applies and commits its batches in order on its own thread and connection,
so one build's database writes overlap another's Python work."""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from projections.engine.applier import Applier
from projections.engine.eventlog import EventLog, Row, select
from projections.engine.failures import HandlerFailed
from projections.engine.model import Build, Event
from projections.engine.tracking import Target, gc_paused

Item = tuple[list[Event], int, int]  # a build's events, the batch's last position, its size


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


class CatchUp:
    def __init__(
        self,
        applier: Applier,
        log: EventLog,
        activate: Callable[[Build], bool],
        batch: int,
        batch_seconds: float,
    ) -> None:
        self.applier = applier
        self.log = log
        self.activate = activate
        self.batch = batch
        self.batch_seconds = batch_seconds

    def run(
        self,
        builds: Sequence[Build],
        *,
        limit: int | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        activate: bool = True,
    ) -> Progress:
        """Run ``builds`` to the head of the log, then activate those that are building.
        Raises the first HandlerFailed once the other builds have caught up."""
        self.applier.finished.difference_update(builds)  # an explicit run retries failed builds
        targets = self.applier.targets(builds)
        start = min((t.position for t in targets), default=0)
        progress = Progress(start=start, position=start, head=self.log.head(), events=0, seconds=0)
        if not targets:
            return progress
        run = _Run(self, targets, limit or self.batch, progress, on_progress)
        run.go()
        if activate:
            activated = [self.activate(t.build) for t in run.running()]
            progress.activated = all(activated) and bool(activated)
            progress.seconds = time.perf_counter() - run.started  # indexes and switch included
        if run.failures:
            raise run.failures[0]
        return progress


class _Run:
    """One catch-up: the reader on this thread, one applying thread per build."""

    def __init__(
        self,
        owner: CatchUp,
        targets: list[Target],
        batch: int,
        progress: Progress,
        on_progress: Callable[[Progress], None] | None,
    ) -> None:
        self.applier = owner.applier
        self.log = owner.log
        self.batch_seconds = owner.batch_seconds
        self.targets = targets
        self.batch = batch
        self.progress = progress
        self.on_progress = on_progress
        self.started = time.perf_counter()
        self.failures: list[HandlerFailed] = []
        self.errors: list[BaseException] = []
        self.stopped: set[Build] = set()
        self.queues: dict[Build, queue.Queue[Item | None]] = {
            t.build: queue.Queue(maxsize=2) for t in targets
        }
        self.planned = {t.build: t.position for t in targets}

    def running(self) -> list[Target]:
        return [t for t in self.targets if t.build not in self.stopped]

    def go(self) -> None:
        workers = [
            threading.Thread(
                target=self._apply_in_order, args=(t,), daemon=True, name=t.build.label
            )
            for t in self.targets
        ]
        for worker in workers:
            worker.start()
        try:
            self._read_all()
        finally:
            for target in self.targets:
                self.queues[target.build].put(None)
            for worker in workers:
                worker.join()
        if self.errors:
            raise self.errors[0]
        progress = self.progress
        progress.seconds = time.perf_counter() - self.started
        progress.position = min((t.position for t in self.running()), default=progress.position)
        progress.head = max(progress.head, self.log.head())
        if self.on_progress is not None:
            self.on_progress(progress)

    def _apply_in_order(self, target: Target) -> None:
        """A build's thread: apply its batches in order, until the reader says done; after a
        failure, or when another runner has it, drain without applying."""
        feed = self.queues[target.build]
        while (item := feed.get()) is not None:
            if target.build in self.stopped:
                continue
            try:
                began = time.perf_counter()
                failure = self.applier.commit(target, *item)  # pauses the collector for a view
                target.batch_seconds = time.perf_counter() - began
            except BaseException as error:
                self.errors.append(error)
                self.stopped.add(target.build)
                continue
            if failure is not None:
                self.failures.append(failure)
                self.stopped.add(target.build)
            elif target.moved or target.build in self.applier.finished:
                self.stopped.add(target.build)  # another runner has it, or it was retired

    def _read_all(self) -> None:
        with ThreadPoolExecutor(1, "projection-reader") as reader:
            size = self.batch  # adapted so that a batch commits within about batch_seconds
            upcoming: Future[list[Row]] = reader.submit(self.log.read, self.progress.start, size)
            try:
                while not self.errors:
                    rows = upcoming.result()
                    at_end = len(rows) < size
                    if not rows:
                        break
                    size = self._adapted(size)
                    if not at_end:
                        upcoming = reader.submit(self.log.read, rows[-1][0], size)
                    self._hand_out(rows)
                    self._report(rows)
                    if at_end or len(self.stopped) == len(self.targets):
                        break
            finally:
                with contextlib.suppress(Exception):
                    upcoming.cancel()

    def _adapted(self, size: int) -> int:
        slowest = max((t.batch_seconds for t in self.targets), default=0.0)
        if slowest > self.batch_seconds:
            return max(1_000, size // 2)
        if slowest < self.batch_seconds / 4:
            return min(self.batch, size * 2)
        return size

    def _hand_out(self, rows: list[Row]) -> None:
        """Decode the batch once and queue each running build its share."""
        last = rows[-1][0]
        with gc_paused():
            running = self.running()
            decoded = self.log.decoded(rows, [t.projection for t in running])
            for target in running:
                if self.planned[target.build] >= last:
                    continue  # this build is ahead of the group's slowest
                events = select(target.projection, decoded, self.planned[target.build])
                self.planned[target.build] = last
                self.queues[target.build].put((events, last, len(rows)))

    def _report(self, rows: list[Row]) -> None:
        progress = self.progress
        progress.events += len(rows)
        progress.position = min((t.position for t in self.running()), default=rows[-1][0])
        progress.head = max(progress.head, rows[-1][0])
        progress.seconds = time.perf_counter() - self.started
        if self.on_progress is not None:
            self.on_progress(progress)
