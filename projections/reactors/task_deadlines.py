"""The task watcher, a reactor with a timer source, as the deadline watcher is for appeals: at
every tick it records, for each task of the МЦУ's decisions whose deadline passed unmet, the
breach and its escalation (two events, one transaction).

The task's own rules make it exactly once: a breach of a deadline already recorded is refused,
and two watchers racing on one task collide on its version, so the loser re-reads and finds the
breach recorded. An extension sets a new deadline, which can be breached in its turn."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

import structlog
from psycopg_pool import ConnectionPool

from domain.sessions.service import SessionsService
from domain.sessions.tasks import RecordTaskBreach
from projections.engine.model import ProjectionNotReady
from projections.engine.reactor import ReactorBatch
from projections.reactors.deadlines import WATCHER, breach_recorded
from projections.session_queries import task_breach_candidates

log = structlog.get_logger("otklik.task_watcher")


class TaskWatcher:
    name = "task_deadline_watcher"
    version = 1
    topics: frozenset[str] = frozenset()  # no events: deadlines come due with time

    def __init__(
        self,
        sessions: SessionsService,
        pool: ConnectionPool,
        clock: Callable[[], datetime],
        *,
        interval: float = 30.0,
        on_breach: Callable[[str], None] = lambda _subject: None,
    ) -> None:
        self.sessions = sessions
        self.pool = pool
        self.clock = clock
        self.tick_seconds = interval
        self.on_breach = on_breach

    def react(self, batch: ReactorBatch) -> None:
        """No events to react to (the engine tracks the position all the same)."""

    def tick(self, now: datetime) -> None:
        self.scan(now)

    def scan(self, now: datetime | None = None) -> int:
        """One pass as of ``now``; the number of breaches recorded."""
        try:
            candidates = task_breach_candidates(self.pool, now or self.clock())
        except ProjectionNotReady:
            return 0
        recorded = 0
        for task_id in candidates:
            record = partial(self.sessions.act_on_task, task_id, RecordTaskBreach(), actor=WATCHER)
            if breach_recorded(record):
                recorded += 1
                log.info("task.breached", task_id=str(task_id))
                self.on_breach("task")
        return recorded
