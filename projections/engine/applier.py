"""One batch for a group of builds, views and reactors alike: the builds' targets, each build
handed its share of the batch (a view in its transaction, a reactor through ``react``)."""

from __future__ import annotations

from collections.abc import Sequence

from projections.engine.apply import ViewBatches
from projections.engine.eventlog import EventLog, select
from projections.engine.failures import HandlerFailed
from projections.engine.model import Build, Event
from projections.engine.react import ReactorBatches
from projections.engine.reactor import Reacting
from projections.engine.registry import Registry
from projections.engine.tracking import Target, gc_paused


class Applier:
    def __init__(
        self,
        registry: Registry,
        log: EventLog,
        views: ViewBatches,
        reactors: ReactorBatches,
        finished: set[Build],
    ) -> None:
        self.registry = registry
        self.log = log
        self.views = views
        self.reactors = reactors
        self.finished = finished  # failed or retired: not restarted by the watchdog

    def targets(self, builds: Sequence[Build]) -> list[Target]:
        """The builds as this process runs them, from their committed positions."""
        positions = self.registry.positions(builds)
        targets = []
        for build in builds:
            if build not in positions:
                raise KeyError(f"no build {build.label}")
            declared = self.registry.declared[build.name]
            targets.append(Target(declared, build, positions[build]))
        return targets

    def commit(
        self, target: Target, events: Sequence[Event], last: int, count: int
    ) -> HandlerFailed | None:
        """Hand one build its share of a batch and track its new position ``last``. A view's
        batch allocates many objects and no cycles: the garbage collector pauses meanwhile; a
        reactor's commands run through the application, which may make cycles."""
        if isinstance(target.projection, Reacting):
            return self.reactors.commit(target, events, last, count)
        with gc_paused():
            return self.views.commit(target, events, last, count)

    def step(self, targets: Sequence[Target], limit: int) -> tuple[int, list[HandlerFailed]]:
        """Read the next batch and apply it to each build in turn (live mode, small groups);
        returns (events read, failures)."""
        after = min(t.position for t in targets)
        rows = self.log.read(after, limit)
        if not rows:
            return 0, []
        last = rows[-1][0]
        failures = []
        with gc_paused():
            decoded = self.log.decoded(rows, [t.projection for t in targets])
        for target in targets:
            events = select(target.projection, decoded, target.position)
            failure = self.commit(target, events, last, len(rows))
            target.moved = False  # live mode holds the lock: a stray writer was re-synced
            if failure is not None:
                failures.append(failure)
        return len(rows), failures

    def step_views(self, targets: Sequence[Target], limit: int) -> tuple[int, list[HandlerFailed]]:
        """``step`` for a group of view builds run together (the live views): one read, one
        decoding, and one transaction for all their writes and positions."""
        after = min(t.position for t in targets)
        rows = self.log.read(after, limit)
        if not rows:
            return 0, []
        last = rows[-1][0]
        with gc_paused():
            decoded = self.log.decoded(rows, [t.projection for t in targets])
            shares = [(t, select(t.projection, decoded, t.position)) for t in targets]
            failures = self.views.commit_many(shares, last, len(rows))
        for target in targets:
            target.moved = False  # live mode holds the locks: a stray writer was re-synced
        return len(rows), failures
