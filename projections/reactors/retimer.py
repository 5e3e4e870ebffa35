"""The re-timer, a reactor: after a **correction** is recorded — a calendar day corrected, or a
version of the SLA policy in force published as a correction of an error, with its reason — the
open deadlines it can move (for a corrected day, those whose span contains it; for a policy, all)
are recomputed under the calendar and the policy version in force at each appeal's receipt, and
each appeal whose deadline moves records it in an event (``DeadlinesRetimed``, with the new
provenance and the reason). An ordinary new version of the policy moves nothing: it applies to
appeals received from its ``effective_from`` on, and a term already running stays as the law and
the policy gave it. Deadlines already met, and closed appeals, stay as they were judged. A deadline
moved by an extension or a pause keeps its date (the extension was granted for that date); one
computed from its anchor by the policy is recomputed.

A correction moves a running deadline later, never earlier, unless the policy correction says so
(``may_shorten``, with its reason). Why: the running term is what the official plans the
examination by (ст.10 ч.1 п.1 59-ФЗ: объективное, всестороннее и своевременное рассмотрение) and
what the citizen was shown; an edit must not turn an appeal into a breach after the fact or cut
the time its examination needs, while a later date stays within the statutory ceiling (the policy
guard, ``domain.sla.statute``), so the citizen never waits longer than the law allows. Where a
term must shrink (an old version longer than the law), the correction says so explicitly. A
calendar correction carries no such flag: it only moves deadlines later.

The correction's request only records the correction; the re-timing follows here, from the log.
Each appeal's command carries an idempotency key made of the correction's position and the
appeal's id, so a crash halfway and the replay that follows re-time every appeal exactly once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any
from uuid import UUID

import psycopg
import structlog
from psycopg_pool import ConnectionPool

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.application import AppealsApplication
from domain.appeals.decisions.anchoring import set_by_source
from domain.appeals.events import AppealEvent
from domain.appeals.state import AppealState, fold
from domain.appeals.vocabulary import Deadline
from domain.shared.actors import Actor, Role
from domain.shared.errors import RuleViolated
from domain.shared.handler import IdempotencyClaim, retry_on_conflict
from domain.sla.book import CalendarDayCorrected, SlaPolicyPublished
from domain.sla.clock import SlaClock
from domain.sla.policy import Anchor, ComputedDeadline
from projections.engine.reactor import ReactorBatch

log = structlog.get_logger("otklik.retimer")
RETIMER = Actor(id="deadline-retimer", role=Role.SYSTEM, name="Пересчёт сроков")
_FROM_RULE = frozenset({"AppealReceived", "AppealRegistered"})


def latest_computations(events: list[AppealEvent]) -> dict[str, ComputedDeadline]:
    latest: dict[str, ComputedDeadline] = {}
    for event in events:
        for computed in getattr(event, "deadlines", ()):
            latest[computed.deadline.value] = computed
    return latest


def answer_chain(events: list[AppealEvent], clock: SlaClock) -> ComputedDeadline | None:
    """The answer deadline recomputed from its anchor, then through every extension and pause
    in their order (None when it was first computed without provenance)."""
    received = events[0] if events else None
    if not isinstance(received, ev.AppealReceived):
        return None
    kind, channel = received.kind, received.channel
    current: ComputedDeadline | None = None
    for event in events:
        if isinstance(event, ev.AppealRegistered):
            found = [d for d in event.deadlines if d.deadline is Deadline.ANSWER]
            if not found:
                return None
            topic = getattr(fold(events), "topic", None)  # the rule of the appeal's topic
            current = clock.due(Deadline.ANSWER, kind, channel, topic, found[0].provenance.anchor)
        elif current is None:
            continue
        elif isinstance(event, ev.DeadlineExtended) and event.deadline is Deadline.ANSWER:
            current = clock.extended(
                Deadline.ANSWER, kind, channel, None, current.due, event.days, _anchor(event)
            )
        elif isinstance(event, ev.AppealResumed):
            paused = timedelta(seconds=event.paused_seconds)
            current = clock.resumed(
                Deadline.ANSWER, kind, channel, None, current.due, paused, _anchor(event)
            )
    return current


def recomputed_deadlines(
    events: list[AppealEvent], state: AppealState, policy: SlaClock, *, may_shorten: bool
) -> list[ComputedDeadline]:
    """The appeal's deadlines computed under another policy version or calendar than the one
    in force at its receipt, recomputed, that move (later only unless ``may_shorten``). An
    answer deadline a governing source set is the source's: never recomputed (issue 16)."""
    # the appeal's own time zone, and the policy version in force at its receipt
    clock = policy.in_zone(state.timezone).as_of(state.received_at)
    recomputed = []
    for computed in latest_computations(events).values():
        anchor = computed.provenance.anchor
        p = computed.provenance
        if (p.policy_id, p.policy_version, p.calendar_version) == (
            clock.policy.id,
            clock.policy.version,
            clock.calendar.version,
        ):
            continue  # computed under what is in force
        if set_by_source(state, computed.deadline):
            continue
        if anchor.event in _FROM_RULE:
            again = clock.due(computed.deadline, state.kind, state.channel, state.topic, anchor)
        elif computed.deadline is Deadline.ANSWER:
            again = answer_chain(events, clock)  # moved by extensions and pauses
        else:
            continue
        if again is None or again.due == computed.due:
            continue
        if again.due < computed.due and not may_shorten:
            continue  # never earlier unless the correction says so (the module's docstring)
        recomputed.append(again)
    return recomputed


def _anchor(event: AppealEvent) -> Anchor:
    return Anchor(
        event=type(event).__name__, version=event.originator_version, at=event.occurred_at
    )


class Retimer:
    """Declared to the engine like a view: it reads calendar corrections and policy versions."""

    name = "retimer"
    version = 1
    topics = frozenset({CalendarDayCorrected.__name__, SlaPolicyPublished.__name__})

    def __init__(
        self,
        appeals: AppealsApplication,
        pool: ConnectionPool,
        *,
        refresh: Callable[[], None] = lambda: None,
        policy_id: str = "federal",
        calendar_id: str = "RU",
    ) -> None:
        self.appeals = appeals
        self.pool = pool
        self.refresh = refresh  # the SLA clock in force re-read: decide under the new calendar
        self.policy_id = policy_id  # the policy in force (another one's versions move nothing)
        self.calendar_id = calendar_id

    def react(self, batch: ReactorBatch) -> None:
        for item in batch.events:
            trigger = self.trigger(item.event)
            if trigger is None:
                continue
            day, reason, may_shorten = trigger
            # the open deadlines are read from the SLA view: as of the correction, at least
            batch.wait_for_view("sla", item.position)
            self.refresh()
            self.retime(day, reason, position=item.position, may_shorten=may_shorten)

    def trigger(self, event: object) -> tuple[date | None, str, bool] | None:
        """The day a recorded correction can move deadlines around (None: every open deadline),
        the reason the re-timing events give, and whether it may move them earlier; None when
        it moves nothing (an ordinary version of a policy, another policy or calendar)."""
        if isinstance(event, CalendarDayCorrected) and event.calendar_id == self.calendar_id:
            what = event.day.note or event.day.kind.value
            reason = (
                f"Производственный календарь {event.calendar_id} исправлен"
                f" (версия {event.originator_version}): {event.day.day:%d.%m.%Y} — {what}."
                f" {event.reason}"
            )
            return event.day.day, reason, False
        if (
            isinstance(event, SlaPolicyPublished)
            and event.policy_id == self.policy_id
            and event.correction
        ):
            policy = event.policy
            return (
                None,
                f"SLA-политика {policy.id} версии {policy.version} опубликована как исправление"
                f" ошибки: {event.reason}. {event.note}",
                event.may_shorten,
            )
        return None

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

    def open_appeals(self) -> list[UUID]:
        with self.pool.connection() as conn:
            rows: list[Any] = conn.execute(
                "SELECT DISTINCT appeal_id FROM sla_deadlines WHERE met_at IS NULL AND NOT closed"
            ).fetchall()
        return [r[0] for r in rows]

    def retime(
        self, day: date | None, reason: str, *, position: int, may_shorten: bool = False
    ) -> int:
        """Recompute the deadlines the corrected ``day`` can move (every open one when ``day``
        is None: a policy correction) after the event at ``position``, later only unless
        ``may_shorten``; the number of appeals whose deadlines moved."""
        moved = 0
        try:
            candidates = self.candidates(day) if day is not None else self.open_appeals()
        except psycopg.errors.UndefinedTable:
            # The SLA view has no active build yet (a fresh system): no open deadline is known.
            log.warning("deadlines.retime_skipped", reason="the sla view is not built yet")
            return 0
        for appeal_id in candidates:
            key = IdempotencyClaim(
                principal=f"reactor:{self.name}",
                key=f"{position}:{appeal_id}",
                fingerprint=f"retime after {position}",
            )
            retime_one = partial(self._retime_one, appeal_id, reason, key, may_shorten)
            if retry_on_conflict(retime_one):
                moved += 1
        log.info("deadlines.retimed", day=day.isoformat() if day else None, appeals=moved)
        return moved

    def _retime_one(
        self, appeal_id: UUID, reason: str, key: IdempotencyClaim, may_shorten: bool
    ) -> bool:
        events = self.appeals.events_of(appeal_id)
        state = fold(events)
        if state is None or state.is_closed:
            return False
        clock = self.appeals.policy
        recomputed = recomputed_deadlines(events, state, clock, may_shorten=may_shorten)
        if not recomputed:
            return False
        try:
            self.appeals.handle(
                appeal_id,
                cmd.RetimeDeadlines(deadlines=tuple(recomputed), reason=reason),
                actor=RETIMER,
                idempotency=key,
            )
        except RuleViolated:
            return False  # met or closed meanwhile, or nothing left to move
        return True
