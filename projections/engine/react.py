"""Running a batch through a reactor's build: ``react`` issues its commands outside the engine's
transactions, then the build's position is tracked in a small transaction of its own; a reactor
that raises on an event stops at that event (the contract is in ``reactor.py``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import structlog
from psycopg_pool import ConnectionPool

from projections.engine.failures import HandlerFailed, record_failure
from projections.engine.model import Build, Event
from projections.engine.reactor import Reacting, ReactorBatch
from projections.engine.registry import Registry
from projections.engine.tracking import NOT_YET, Target, advance, claim

log = structlog.get_logger("otklik.projections")
Wait = Callable[[str, int, float], int]


class ReactorBatches:
    def __init__(
        self,
        pool: ConnectionPool,
        registry: Registry,
        finished: set[Build],
        wait: Wait,
        clock: Callable[[], datetime],
    ) -> None:
        self.pool = pool
        self.registry = registry
        self.finished = finished
        self.wait = wait
        self.clock = clock

    def commit(
        self, target: Target, events: Sequence[Event], last: int, count: int
    ) -> HandlerFailed | None:
        """React to one batch, then track the build's new position ``last``. Returns the
        failure when the reactor raised on one of the events; connection trouble, or a view it
        waits for that is not there yet, propagates (the batch is handed over again later)."""
        if last <= target.position:
            return None
        if events and not self._track(target):  # no command before the build is checked
            return None
        try:
            self._react(target, events)
        except NOT_YET:
            raise
        except Exception:
            return self._isolate(target, events, last, count)
        self._track(target, last, count)
        return None

    def _react(self, target: Target, events: Sequence[Event]) -> None:
        if events:
            reacting = target.projection
            assert isinstance(reacting, Reacting)
            reacting.reactor.react(ReactorBatch(events, target.build, self.wait))

    def _track(self, target: Target, position: int | None = None, count: int = 0) -> bool:
        """Check that the build is still this runner's at its position (without ``position``), or
        move it to ``position``; False when it was retired or another runner moved it."""
        with self.pool.connection() as conn, conn.transaction():
            if not claim(conn, target, self.finished):
                return False
            if position is not None:
                advance(conn, target, position, count)
                target.position = position
        return True

    def _isolate(
        self, target: Target, events: Sequence[Event], last: int, count: int
    ) -> HandlerFailed | None:
        """Hand the batch over again one event at a time, tracking each: the events before the
        one it fails on are tracked, and the failure is recorded at that event's position."""
        for item in events:
            try:
                self._react(target, [item])
            except NOT_YET:
                raise
            except Exception as error:
                before = item.position - 1
                if before > target.position and not self._track(target, before, 1):
                    return None
                failed = HandlerFailed(target.build, item.position, error)
                record_failure(self.pool, failed)
                self.finished.add(target.build)
                return failed
            if not self._track(target, item.position, 1):
                return None
        self._track(target, last, count)  # it went through the second time
        return None

    def tick(self, build: Build) -> None:
        """Run the reactor's timer once and record it; an error is logged, and the next round
        tries again (a timer has no position to stop at)."""
        reacting = self.registry.declared[build.name]
        assert isinstance(reacting, Reacting)
        try:
            reacting.tick(self.clock())
        except Exception as error:
            log.warning("reactor.tick_failed", build=build.label, error=type(error).__name__)
            return
        self.registry.ticked(build)
