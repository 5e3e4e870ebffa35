"""The retention reactor: on a timer, it erases the personal data of every closed appeal whose
retention period (the schedule, by kind, from closing) has ended, unless a legal hold keeps it.

Exactly once comes from the key store: an appeal whose data key is gone has nothing left to
erase, so it is no longer a candidate, and two erasures racing on one key find it once (the key's
row is locked and deleted by the first). Each erasure is recorded as ``PersonalDataErased`` with
the ground ``retention``; the report of what expires next is ``projections.retention.expiring``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import structlog
from psycopg_pool import ConnectionPool

from domain.retention.schedule import RetentionSchedule
from domain.shared.actors import Actor, Role
from projections.engine.model import ProjectionNotReady
from projections.engine.reactor import ReactorBatch
from projections.retention import Closed, expired

log = structlog.get_logger("otklik.retention")
RETENTION = Actor(id="retention", role=Role.SYSTEM, name="Сроки хранения")


class RetentionReactor:
    """Declared like a view; its source is the timer (``tick``), every ``tick_seconds``."""

    name = "retention"
    version = 1
    topics: frozenset[str] = frozenset()  # no events: periods end with time

    def __init__(
        self,
        pool: ConnectionPool,
        schedule: Callable[[], RetentionSchedule],
        *,
        with_data: Callable[[Collection[UUID]], set[UUID]],
        held: Callable[[Collection[UUID]], set[UUID]],
        erase: Callable[[list[UUID], Actor], Collection[UUID]],
        timezone: str,
        interval: float = 3600.0,
    ) -> None:
        self.pool = pool
        self.schedule = schedule  # read on every tick: an administrator's change applies
        self.with_data = with_data  # the appeals whose data keys still exist
        self.held = held  # the appeals under a legal hold
        # destroys the appeals' keys and records each erasure (ground: retention); the ones erased
        self.erase = erase
        self.zone = ZoneInfo(timezone)
        self.tick_seconds = interval

    def react(self, batch: ReactorBatch) -> None:
        return None  # no events: the timer does the work

    def tick(self, now: datetime) -> int:
        return len(self.sweep(now))

    def due(self, now: datetime) -> tuple[list[Closed], list[Closed]]:
        """The appeals whose period has ended by ``now`` and whose data is still kept: those to
        erase and those a legal hold keeps."""
        try:
            found = expired(
                self.pool, self.schedule(), now.astimezone(self.zone).date(), self.zone.key
            )
        except ProjectionNotReady:
            return [], []
        if not found:
            return [], []
        kept = self.with_data([c.appeal_id for c in found])
        found = [c for c in found if c.appeal_id in kept]
        holds = self.held([c.appeal_id for c in found])
        return [c for c in found if c.appeal_id not in holds], [
            c for c in found if c.appeal_id in holds
        ]

    def sweep(self, now: datetime) -> list[Closed]:
        """Erase every appeal due at ``now``; the ones erased."""
        due, _held = self.due(now)
        if not due:
            return []
        # an appeal erased meanwhile (a request, another ticker) has nothing left: passed over
        done = set(self.erase([c.appeal_id for c in due], RETENTION))
        erased = [c for c in due if c.appeal_id in done]
        for case in erased:
            log.info("retention.erased", appeal_id=str(case.appeal_id), kind=case.kind.value)
        return erased
