"""The deadline watcher: records a breach (and its escalation, in the same transaction) the moment
a deadline passes unmet.

It finds candidates in the appeals view (open, past due, unmet, breach not yet recorded for the
due date in force) and sends each appeal the ``record-breach`` command as the system actor. The
appeal's own rules make it exactly once: a breach already recorded for that due date is refused,
and two watchers racing on one appeal collide on its version, so the loser re-reads and finds the
breach recorded. Restarts and several watchers are therefore safe; none coordinates with another.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial

import structlog
from psycopg_pool import ConnectionPool

from api.metrics import WATCHER_BREACHES
from domain.appeals import commands as cmd
from domain.appeals.application import AppealsApplication
from domain.appeals.vocabulary import Deadline, EscalationTarget
from domain.claims.commands import RecordNormBreach
from domain.claims.events import Norm
from domain.claims.service import ClaimsService
from domain.shared.actors import Actor, Role
from domain.shared.errors import ConcurrencyConflict, RuleViolated
from projections.appeals import AppealQueries
from projections.claims import breach_candidates as claim_breach_candidates
from projections.engine.model import ProjectionNotReady

log = structlog.get_logger("otklik.watcher")
WATCHER = Actor(id="deadline-watcher", role=Role.SYSTEM, name="Контроль сроков")
# Who hears of a breach: the control centre's curator for intake deadlines, the sector's head for
# the department's.
ESCALATE_TO = {
    Deadline.REGISTER: EscalationTarget.CURATOR,
    Deadline.FIRST_REACTION: EscalationTarget.CURATOR,
    Deadline.FORWARD: EscalationTarget.SECTOR_HEAD,
    Deadline.ANSWER: EscalationTarget.SECTOR_HEAD,
}


class DeadlineWatcher:
    def __init__(
        self,
        appeals: AppealsApplication,
        queries: AppealQueries,
        clock: Callable[[], datetime],
        *,
        interval: float = 30.0,
        claims: ClaimsService | None = None,
        pool: ConnectionPool | None = None,
    ) -> None:
        self.appeals = appeals
        self.queries = queries
        self.clock = clock
        self.claims = claims  # and the claims' response norms, read from the claims view
        self.pool = pool
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def scan(self) -> int:
        """One pass; the number of breaches this watcher recorded."""
        try:
            candidates = self.queries.breach_candidates(self.clock())
        except ProjectionNotReady:
            return 0
        recorded = 0
        for appeal_id, name in candidates:
            deadline = Deadline(name)
            command = cmd.RecordDeadlineBreach(deadline=deadline, escalate_to=ESCALATE_TO[deadline])
            if _recorded(partial(self.appeals.handle, appeal_id, command, actor=WATCHER)):
                recorded += 1
                log.info("deadline.breached", appeal_id=str(appeal_id), deadline=name)
                WATCHER_BREACHES.labels(subject="appeal").inc()
        return recorded

    def scan_claims(self) -> int:
        """One pass over the claims' response norms; the number of breaches recorded."""
        if self.claims is None or self.pool is None:
            return 0
        try:
            candidates = claim_breach_candidates(self.pool, self.clock())
        except ProjectionNotReady:
            return 0
        recorded = 0
        for claim_id, name in candidates:
            command = RecordNormBreach(norm=Norm(name))
            if _recorded(partial(self.claims.handle, claim_id, command, actor=WATCHER)):
                recorded += 1
                log.info("claim.norm_breached", claim_id=str(claim_id), norm=name)
                WATCHER_BREACHES.labels(subject="claim").inc()
        return recorded

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True, name="deadline-watcher")
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.scan()
                self.scan_claims()
            except Exception as error:  # the database is away: try again on the next round
                log.warning("deadline.watcher_error", error=type(error).__name__)
            self._stop.wait(self.interval)


def _recorded(record: Callable[[], object], attempts: int = 3) -> bool:
    """Record a breach: True once recorded; False when the aggregate refuses (recorded by
    another watcher, met or paused meanwhile). A concurrent change is decided again."""
    for _attempt in range(attempts):
        try:
            record()
        except ConcurrencyConflict:
            continue  # someone changed it: decide again on the new state
        except RuleViolated:
            return False
        return True
    return False
