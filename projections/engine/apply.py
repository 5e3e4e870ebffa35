"""Applying a batch to a view's build: its writes and its new position in one transaction
(exactly-once), and failure isolation: a handler error stops that build only, at the first event
it fails on, with the events before it committed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from projections.engine.eventlog import EventLog
from projections.engine.failures import HandlerFailed, record_failure
from projections.engine.model import Batch, Build, Event
from projections.engine.tracking import (
    Target,
    advance,
    advance_many,
    claim,
    claim_many,
    is_infrastructure,
)


class _HandlerRaised(Exception):
    """A handler's error inside a group's transaction: the transaction is rolled back and each
    build is committed on its own (where failures are isolated)."""


class ViewBatches:
    def __init__(
        self,
        pool: ConnectionPool,
        log: EventLog,
        finished: set[Build],
        statement_timeout_ms: int,
    ) -> None:
        self.pool = pool
        self.log = log
        self.finished = finished  # failed or retired builds: the runners leave them
        self.statement_timeout_ms = statement_timeout_ms

    def commit(
        self, target: Target, events: Sequence[Event], last: int, count: int
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
                if not claim(conn, target, self.finished):
                    return None
                failure: HandlerFailed | None = None
                try:
                    with conn.transaction():
                        target.projection.apply(self._batch(conn, events, target, target.cache))
                except Exception as error:
                    if is_infrastructure(error):
                        raise
                    first = events[0].position if events else last
                    failure = HandlerFailed(target.build, first, error)
                else:
                    advance(conn, target, last, count)
        except BaseException:
            target.cache.clear()
            raise
        if failure is None:
            target.position = last
            return None
        target.cache.clear()
        return self._isolate(target, events, last, count, failure)

    def commit_many(
        self, shares: Sequence[tuple[Target, Sequence[Event]]], last: int, count: int
    ) -> list[HandlerFailed]:
        """One batch for several builds (the live views): every build's writes and all their new
        positions in one transaction, one claim and one advance for all of them. Should a handler
        raise, that transaction is rolled back and each build is committed on its own, where its
        failure is isolated (rare: a handler's bug, an event the code cannot decode)."""
        todo = [(t, events) for t, events in shares if last > t.position]
        if len(todo) <= 1:
            failed = [self.commit(t, events, last, count) for t, events in todo]
            return [f for f in failed if f is not None]
        done: list[Target] = []
        try:
            with self.pool.connection() as conn, conn.transaction():
                conn.execute(
                    sql.SQL("SET LOCAL statement_timeout = {}").format(
                        sql.Literal(self.statement_timeout_ms)
                    )
                )
                done = self._apply_together(conn, todo)
                advance_many(conn, done, last, count)
        except _HandlerRaised:
            for target, _ in todo:
                target.cache.clear()
            failed = [self.commit(t, events, last, count) for t, events in todo]
            return [f for f in failed if f is not None]
        except BaseException:
            for target, _ in todo:
                target.cache.clear()
            raise
        for target in done:
            target.position = last
        return []

    def _apply_together(
        self, conn: psycopg.Connection[Any], todo: list[tuple[Target, Sequence[Event]]]
    ) -> list[Target]:
        """Claim the builds and apply each one's share on ``conn``: the builds that may advance."""
        claimed = set(map(id, claim_many(conn, [t for t, _ in todo], self.finished)))
        done = []
        for target, events in todo:
            if id(target) not in claimed:
                continue
            if events:
                try:
                    target.projection.apply(self._batch(conn, events, target, target.cache))
                except Exception as error:
                    if is_infrastructure(error):
                        raise
                    raise _HandlerRaised from error
            done.append(target)
        return done

    def _batch(
        self,
        conn: psycopg.Connection[Any],
        events: Sequence[Event],
        target: Target,
        cache: dict[Any, Any],
    ) -> Batch:
        raw = getattr(target.projection, "raw", False)
        log = self.log
        return Batch(
            conn, events, target.build, target.tables, cache, log.decode, log.events_table, raw
        )

    def _isolate(
        self,
        target: Target,
        events: Sequence[Event],
        last: int,
        count: int,
        failure: HandlerFailed,
    ) -> HandlerFailed | None:
        """After a handler failed on a batch: retry it with an empty cache; if it fails again,
        find the first event it fails on (bisecting over savepoints), commit the events before
        it, and record the failure at that event's position."""
        with self.pool.connection() as conn, conn.transaction():
            if not claim(conn, target, self.finished):
                return None
            try:
                with conn.transaction():
                    target.projection.apply(self._batch(conn, events, target, target.cache))
                advance(conn, target, last, count)
                target.position = last
                return None
            except Exception as caught:
                target.cache.clear()
                if is_infrastructure(caught):
                    raise
                error: BaseException = caught
            good, error = self._bisect(conn, target, events, error)
            if good:
                target.projection.apply(self._batch(conn, events[:good], target, {}))
                position = events[good].position - 1
                advance(conn, target, position, good)
                target.position = position
        target.cache.clear()
        failed = HandlerFailed(
            target.build, events[good].position if events else failure.position, error
        )
        record_failure(self.pool, failed)
        self.finished.add(failed.build)
        return failed

    def _bisect(
        self,
        conn: psycopg.Connection[Any],
        target: Target,
        events: Sequence[Event],
        error: BaseException,
    ) -> tuple[int, BaseException]:
        """How many of ``events`` apply cleanly before the first that fails, and its error (each
        attempt in a savepoint that is rolled back)."""
        good, bad = 0, len(events)  # events[:good] apply cleanly, events[:bad] do not
        while bad - good > 1:
            middle = (good + bad) // 2
            try:
                with conn.transaction(force_rollback=True):
                    target.projection.apply(self._batch(conn, events[:middle], target, {}))
                good = middle
            except Exception as caught:
                if is_infrastructure(caught):
                    raise
                bad, error = middle, caught
        return good, error
