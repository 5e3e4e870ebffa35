"""Where an appeal stands against each of its deadlines, read from its events alone.

For each deadline: the due moment in force, its provenance, whether and when it was met, its
status (on track, at risk, met, missed, overdue), the time left in the deadline's own unit, and
the history of its changes (computed, extended, moved by a pause)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import msgspec

from domain.appeals import events as ev
from domain.appeals.state import AppealState, fold
from domain.appeals.vocabulary import Deadline
from domain.sla.calendar import ProductionCalendar
from domain.sla.policy import ComputedDeadline, Provenance, Unit


class DeadlineStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"  # less than the policy's share of the time is left
    MET = "met"
    MISSED = "missed"  # met, but late
    OVERDUE = "overdue"  # not met, and past due


class DeadlineChange(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime
    event: str
    version: int
    due: datetime


class TimeLeft(msgspec.Struct, frozen=True, kw_only=True):
    amount: float  # negative once past due
    unit: Unit


class DeadlineView(msgspec.Struct, frozen=True, kw_only=True):
    deadline: Deadline
    due: datetime  # UTC
    due_local: datetime  # the same moment in the appeal's time zone, with its offset
    status: DeadlineStatus
    met_at: datetime | None
    time_left: TimeLeft | None  # for deadlines not yet met
    provenance: Provenance | None  # None for deadlines recorded before provenance was kept
    policy: str
    history: list[DeadlineChange]


def _recorded(event: ev.AppealEvent) -> list[tuple[Deadline, datetime, ComputedDeadline | None]]:
    """The deadlines an event sets, with their provenance when it has one."""
    computed = {d.deadline: d for d in getattr(event, "deadlines", ())}
    found: list[tuple[Deadline, datetime | None]] = []
    if isinstance(event, ev.AppealReceived):
        found = [(Deadline.REGISTER, event.register_due)]
        # the others it computes under their own names (an incident's first reaction)
        found += [(d.deadline, d.due) for d in computed.values() if d.deadline != Deadline.REGISTER]
    elif isinstance(event, ev.AppealRegistered):
        found = [
            (Deadline.ANSWER, event.answer_due),
            (Deadline.FORWARD, event.forward_due),
            (Deadline.FIRST_REACTION, event.first_reaction_due),
        ]
    elif isinstance(event, ev.DeadlineExtended):
        found = [(event.deadline, event.new_due)]
    elif isinstance(event, ev.AppealResumed):
        found = [(Deadline.ANSWER, event.answer_due)]
    elif isinstance(event, ev.DeadlinesRetimed):
        found = [(d.deadline, d.due) for d in event.deadlines]
    elif isinstance(event, ev.AppealDecidedUnderArticle11):  # ст.11 59-ФЗ: the notice's term
        found = [(Deadline.NOTICE, event.notice_due)]
    elif isinstance(event, ev.InformationRequested):  # ст.10 ч.2 59-ФЗ: the other body's term
        found = [(Deadline.INFORMATION_REPLY, event.reply_due)]
    elif isinstance(event, ev.DeadlineSetBySource) and event.governs:  # issue 16: the source's
        found = [(event.deadline, event.due)]
    return [(d, due, computed.get(d)) for d, due in found if due is not None]


def _met_at(deadline: Deadline, state: AppealState, forwarded: datetime | None) -> datetime | None:
    if deadline is Deadline.REGISTER:
        return state.registered_at
    if deadline is Deadline.FORWARD:  # the first routing act (ст.8 ч.3–4 59-ФЗ)
        return min((t for t in (forwarded, state.routed_at) if t is not None), default=None)
    if deadline is Deadline.FIRST_REACTION:
        return state.first_reaction_at
    if deadline is Deadline.NOTICE:
        return state.notice_given_at
    if deadline is Deadline.INFORMATION_REPLY:
        reply = state.information_reply
        return reply[2] if reply else None
    return state.first_answered_at


def time_left(
    now: datetime, due: datetime, unit: Unit, calendar: ProductionCalendar, zone: ZoneInfo
) -> TimeLeft:
    sign = 1.0 if due >= now else -1.0
    start, end = sorted((now, due))
    if unit is Unit.WORKING_HOURS:
        seconds = calendar.working_time_between(start.astimezone(zone), end.astimezone(zone))
        return TimeLeft(amount=round(sign * seconds.total_seconds() / 3600, 2), unit=unit)
    if unit is Unit.WORKING_DAYS:
        days = calendar.working_days_between(start.astimezone(zone), end.astimezone(zone))
        return TimeLeft(amount=round(sign * days, 2), unit=unit)
    return TimeLeft(amount=round(sign * (end - start) / timedelta(days=1), 2), unit=unit)


_Current = dict[Deadline, tuple[datetime, ComputedDeadline | None, str, datetime]]


def _gather(
    events: Sequence[ev.AppealEvent],
) -> tuple[_Current, dict[Deadline, list[DeadlineChange]], datetime | None]:
    """Each deadline's due moment in force (with its provenance, policy and the moment its time
    started), the history of its changes, and when the appeal was first forwarded."""
    current: _Current = {}
    history: dict[Deadline, list[DeadlineChange]] = {}
    forwarded: datetime | None = None
    for event in events:
        if isinstance(event, ev.AppealForwarded):
            forwarded = forwarded or event.occurred_at
        for deadline, due, computed in _recorded(event):
            known = current.get(deadline)
            if known is not None and known[0] == due:
                continue
            start = known[3] if known else event.occurred_at
            policy = getattr(event, "deadline_policy", "")
            current[deadline] = (due, computed or (known[1] if known else None), policy, start)
            history.setdefault(deadline, []).append(
                DeadlineChange(
                    at=event.occurred_at,
                    event=type(event).__name__,
                    version=event.originator_version,
                    due=due,
                )
            )
    return current, history, forwarded


def _open_status(
    now: datetime, due: datetime, start: datetime, at_risk_share: float
) -> DeadlineStatus:
    """The status of a deadline not yet met."""
    if now >= due:
        return DeadlineStatus.OVERDUE
    if (due - now) < (due - start) * at_risk_share:
        return DeadlineStatus.AT_RISK
    return DeadlineStatus.ON_TRACK


def deadlines(
    events: Sequence[ev.AppealEvent],
    *,
    now: datetime,
    calendar: ProductionCalendar,
    timezone: str,
    at_risk_share: float = 0.2,
) -> list[DeadlineView]:
    """Every deadline of the appeal whose ``events`` are given, as of ``now``; times left are
    counted in the zone the appeal was received under (``timezone`` for older appeals)."""
    state = fold(events)
    if state is None:
        return []
    zone = ZoneInfo(state.timezone or timezone)  # the zone the appeal was received under
    current, history, forwarded = _gather(events)
    views = []
    for deadline, (due, computed, policy, start) in current.items():
        met_at = _met_at(deadline, state, forwarded)
        closed = state.closed_at if state.is_closed else None
        # closed: nothing more is owed on it; a term started after the closing (ст.8 ч.5: the
        # results asked of the body it was forwarded to) runs on
        if met_at is None and closed is not None and closed >= start:
            met_at = closed
        unit = computed.unit if computed is not None else Unit.CALENDAR_DAYS
        if met_at is not None:
            status = DeadlineStatus.MET if met_at < due else DeadlineStatus.MISSED
            left = None
        else:
            left = time_left(now, due, unit, calendar, zone)
            status = _open_status(now, due, start, at_risk_share)
        views.append(
            DeadlineView(
                deadline=deadline,
                due=due,
                due_local=due.astimezone(zone),
                status=status,
                met_at=met_at,
                time_left=left,
                provenance=computed.provenance if computed is not None else None,
                policy=policy,
                history=history[deadline],
            )
        )
    order = list(Deadline)
    return sorted(views, key=lambda v: order.index(v.deadline))
