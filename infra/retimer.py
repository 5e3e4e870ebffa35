"""Re-timing after a calendar correction: the open deadlines whose span contains the corrected day
are recomputed under the new calendar, and each appeal whose deadline moves records it in an event
(``DeadlinesRetimed``, with the new provenance and the reason). Deadlines already met, and closed
appeals, stay as they were judged. A deadline moved by an extension or a pause keeps its date (the
extension was granted for that date); one computed from its anchor by the policy is recomputed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import structlog
from psycopg_pool import ConnectionPool

from domain.appeals import commands as cmd
from domain.appeals.application import AppealsApplication
from domain.appeals.events import AppealEvent
from domain.appeals.state import fold
from domain.shared.actors import Actor, Role
from domain.shared.errors import ConcurrencyConflict, RuleViolated
from domain.sla.policy import ComputedDeadline

log = structlog.get_logger("otklik.retimer")
RETIMER = Actor(id="deadline-retimer", role=Role.SYSTEM, name="Пересчёт сроков")
_FROM_RULE = frozenset({"AppealReceived", "AppealRegistered"})


def latest_computations(events: list[AppealEvent]) -> dict[str, ComputedDeadline]:
    latest: dict[str, ComputedDeadline] = {}
    for event in events:
        for computed in getattr(event, "deadlines", ()):
            latest[computed.deadline.value] = computed
    return latest


class Retimer:
    def __init__(self, appeals: AppealsApplication, pool: ConnectionPool) -> None:
        self.appeals = appeals
        self.pool = pool

    def candidates(self, day: date) -> list[UUID]:
        """Open appeals with an unmet deadline whose span (clock start to due) contains ``day``
        (a day's margin either side: the spans are stored in UTC, the day is local)."""
        with self.pool.connection() as conn:
            rows: list[Any] = conn.execute(
                "SELECT DISTINCT appeal_id FROM sla_deadlines WHERE met_at IS NULL AND NOT closed"
                " AND started_at < %s AND due > %s",
                (day + timedelta(days=2), day - timedelta(days=1)),
            ).fetchall()
        return [r[0] for r in rows]

    def retime(self, day: date, reason: str) -> int:
        """Recompute the deadlines the corrected ``day`` can move; the number of appeals whose
        deadlines moved."""
        moved = 0
        for appeal_id in self.candidates(day):
            for _attempt in range(3):
                try:
                    if self._retime_one(appeal_id, reason):
                        moved += 1
                    break
                except ConcurrencyConflict:
                    continue
        log.info("deadlines.retimed", day=day.isoformat(), appeals=moved)
        return moved

    def _retime_one(self, appeal_id: UUID, reason: str) -> bool:
        events = self.appeals.events_of(appeal_id)
        state = fold(events)
        if state is None or state.is_closed:
            return False
        clock = self.appeals.policy
        recomputed = []
        for computed in latest_computations(events).values():
            anchor = computed.provenance.anchor
            if anchor.event not in _FROM_RULE:
                continue
            if computed.provenance.calendar_version >= clock.calendar.version:
                continue
            again = clock.due(computed.deadline, state.kind, state.channel, None, anchor)
            if again is not None and again.due != computed.due:
                recomputed.append(again)
        if not recomputed:
            return False
        try:
            self.appeals.handle(
                appeal_id,
                cmd.RetimeDeadlines(deadlines=tuple(recomputed), reason=reason),
                actor=RETIMER,
            )
        except RuleViolated:
            return False  # met or closed meanwhile, or nothing left to move
        return True
