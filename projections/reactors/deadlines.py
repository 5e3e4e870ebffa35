"""The deadline watcher, a reactor with a timer source: at every tick it records a breach (and its
escalation, in the same transaction) for each deadline that has come due unmet.

It finds candidates in the appeals view (open, past due, unmet, breach not yet recorded for the
due date in force) and sends each appeal the ``record-breach`` command as the system actor. The
appeal's own rules make it exactly once: a breach already recorded for that due date is refused,
and two watchers racing on one appeal collide on its version, so the loser re-reads and finds the
breach recorded. The engine ticks it under its build's lock (one ticker across processes), but
restarts and several watchers would be safe anyway; none coordinates with another.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from functools import partial

import structlog
from psycopg_pool import ConnectionPool

from domain.appeals import commands as cmd
from domain.appeals.application import AppealsApplication
from domain.appeals.vocabulary import Deadline, EscalationTarget
from domain.claims.commands import RecordNormBreach
from domain.claims.events import Norm
from domain.claims.service import ClaimsService
from domain.shared.actors import Actor, Role
from domain.shared.errors import ConcurrencyConflict, RuleViolated
from domain.shared.handler import retry_on_conflict
from projections.appeals import AppealQueries
from projections.claims import breach_candidates as claim_breach_candidates
from projections.engine.model import ProjectionNotReady
from projections.engine.reactor import ReactorBatch
from projections.sla import reply_breach_candidates

log = structlog.get_logger("otklik.watcher")
WATCHER = Actor(id="deadline-watcher", role=Role.SYSTEM, name="Контроль сроков")
# Who hears of a breach: the control centre's curator for intake deadlines, the sector's head for
# the department's.
ESCALATE_TO = {
    Deadline.REGISTER: EscalationTarget.CURATOR,
    Deadline.FIRST_REACTION: EscalationTarget.CURATOR,
    Deadline.FORWARD: EscalationTarget.SECTOR_HEAD,
    Deadline.ANSWER: EscalationTarget.SECTOR_HEAD,
    Deadline.NOTICE: EscalationTarget.CURATOR,  # the control centre owes the ст.11 notice
    # ст.10 ч.2: the department that asked chases the other body's reply
    Deadline.INFORMATION_REPLY: EscalationTarget.SECTOR_HEAD,
}


class DeadlineWatcher:
    """Declared to the engine like a view (name, version, topics), but it reads no events: its
    source is the timer (``tick``), every ``tick_seconds``."""

    name = "deadline_watcher"
    version = 1
    topics: frozenset[str] = frozenset()  # no events: deadlines come due with time

    def __init__(
        self,
        appeals: AppealsApplication,
        queries: AppealQueries,
        clock: Callable[[], datetime],
        *,
        interval: float = 30.0,
        claims: ClaimsService | None = None,
        pool: ConnectionPool | None = None,
        on_breach: Callable[[str], None] = lambda _subject: None,
    ) -> None:
        self.appeals = appeals
        self.queries = queries
        self.clock = clock
        self.claims = claims  # and the claims' response norms, read from the claims view
        self.pool = pool
        self.tick_seconds = interval
        self.on_breach = on_breach  # a metric: the subject ("appeal", "claim") of each breach

    def react(self, batch: ReactorBatch) -> None:
        """No events to react to (the engine tracks the position all the same)."""

    def tick(self, now: datetime) -> None:
        self.scan(now)
        self.scan_claims(now)

    def scan(self, now: datetime | None = None) -> int:
        """One pass as of ``now`` (default: the clock); the number of breaches recorded."""
        now = now or self.clock()
        try:
            candidates = self.queries.breach_candidates(now)
        except ProjectionNotReady:
            return 0
        if self.pool is not None:  # requests' replies (ст.10 ч.2) are rows of the SLA view only
            with contextlib.suppress(ProjectionNotReady):
                candidates += reply_breach_candidates(self.pool, now)
        recorded = 0
        for appeal_id, name in candidates:
            deadline = Deadline(name)
            command = cmd.RecordDeadlineBreach(deadline=deadline, escalate_to=ESCALATE_TO[deadline])
            if breach_recorded(partial(self.appeals.handle, appeal_id, command, actor=WATCHER)):
                recorded += 1
                log.info("deadline.breached", appeal_id=str(appeal_id), deadline=name)
                self.on_breach("appeal")
        return recorded

    def scan_claims(self, now: datetime | None = None) -> int:
        """One pass over the claims' response norms; the number of breaches recorded."""
        if self.claims is None or self.pool is None:
            return 0
        try:
            candidates = claim_breach_candidates(self.pool, now or self.clock())
        except ProjectionNotReady:
            return 0
        recorded = 0
        for claim_id, name in candidates:
            command = RecordNormBreach(norm=Norm(name))
            if breach_recorded(partial(self.claims.handle, claim_id, command, actor=WATCHER)):
                recorded += 1
                log.info("claim.norm_breached", claim_id=str(claim_id), norm=name)
                self.on_breach("claim")
        return recorded


def breach_recorded(record: Callable[[], object]) -> bool:
    """Record a breach: True once recorded; False when the aggregate refuses (recorded by
    another watcher, met or paused meanwhile) or every attempt lost a race (the next tick
    decides again)."""
    try:
        retry_on_conflict(record)
    except (RuleViolated, ConcurrencyConflict):
        return False
    return True
