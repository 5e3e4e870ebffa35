"""SLA policies as versioned data, and deadlines computed with their provenance.

A deadline is never typed in: it is an anchor event plus a duration in a unit (calendar days,
working days, working hours), under a production calendar, in the municipality's time zone, with a
roll-over rule. Each computed deadline carries everything an auditor needs to recompute it and to
read why it falls where it does: the policy id and version, the calendar id and version, the anchor
event, the rule, and the steps (in Russian, as the staff and the prosecutor's office read them).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec

from domain.appeals.vocabulary import Channel, Deadline, Kind
from domain.sla.calendar import ProductionCalendar
from domain.sla.day_terms import DAYS_MAX, counted_days, coverage, end_of, fmt
from domain.sla.day_terms import Unit as Unit  # defined beside the counting, used by all

UNIT_WORDS = {
    Unit.CALENDAR_DAYS: "календарных дней",
    Unit.WORKING_DAYS: "рабочих дней",
    Unit.WORKING_HOURS: "рабочих часов",
}
EVENT_WORDS = {
    "AppealReceived": "поступления",
    "AppealRegistered": "регистрации",
    "InterimAnswerGiven": "промежуточного ответа",
}


class DeadlineRule(msgspec.Struct, frozen=True, kw_only=True):
    """One term: for which appeals (kinds, optionally channels and a topic), counted from which
    event, how long, in which unit, and whether a due day off rolls to the next working day."""

    deadline: Deadline
    kinds: frozenset[Kind]
    channels: frozenset[Channel] | None = None  # None: every channel of those kinds
    topic: str | None = None  # a region's shorter term for one topic
    anchor: str  # the event the count starts from: AppealReceived, AppealRegistered, …
    amount: int
    unit: Unit
    roll_over: bool = True

    def matches(self, kind: Kind, channel: Channel, topic: str | None) -> bool:
        return (
            kind in self.kinds
            and (self.channels is None or channel in self.channels)
            and (self.topic is None or self.topic == topic)
        )

    @property
    def specificity(self) -> int:
        return (self.topic is not None) * 2 + (self.channels is not None)

    def describe(self) -> str:
        anchor = EVENT_WORDS.get(self.anchor, self.anchor)
        return f"{self.amount} {UNIT_WORDS[self.unit]} с момента {anchor}"


class SlaPolicy(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    version: int
    title: str
    rules: tuple[DeadlineRule, ...]
    max_extension_days: int = 30  # 59-ФЗ ст. 12 ч. 2: +30 days at most, in all
    single_extension: frozenset[Kind] = frozenset({Kind.MESSAGE})  # ПОС: extended once
    pausable: frozenset[Kind] = frozenset({Kind.MESSAGE, Kind.INCIDENT, Kind.CALL})
    at_risk_share: float = 0.2  # "at risk" when less than this share of the time is left
    # Applies to appeals received from then on (None: always; a version read from its stream
    # carries its date, an older event's being its publication: ``domain.sla.books``).
    effective_from: datetime | None = None

    def rule(
        self, deadline: Deadline, kind: Kind, channel: Channel, topic: str | None = None
    ) -> DeadlineRule | None:
        """The most specific rule for this deadline of such an appeal (topic, then channel)."""
        key = (id(self), deadline, kind, channel, topic)
        known = _RULES.get(key)
        if known is not None and known[0] is self:
            return known[1]
        found = [
            r for r in self.rules if r.deadline is deadline and r.matches(kind, channel, topic)
        ]
        chosen = max(found, key=lambda r: r.specificity) if found else None
        if len(_RULES) >= DAYS_MAX:
            _RULES.clear()
        _RULES[key] = (self, chosen)
        return chosen


# The rule chosen for each kind of appeal, by the policy's identity (kept alive in the value).
_RuleKey = tuple[int, Deadline, Kind, Channel, str | None]
_RULES: dict[_RuleKey, tuple[SlaPolicy, DeadlineRule | None]] = {}


class Anchor(msgspec.Struct, frozen=True, kw_only=True):
    event: str
    version: int  # the appeal's version the anchor event has
    at: datetime  # its business time


class Provenance(msgspec.Struct, frozen=True, kw_only=True):
    policy_id: str
    policy_version: int
    calendar_id: str
    calendar_version: int
    timezone: str
    anchor: Anchor
    rule: str
    steps: tuple[str, ...]


class ComputedDeadline(msgspec.Struct, frozen=True, kw_only=True):
    deadline: Deadline
    due: datetime  # UTC; the deadline is met by an act strictly before this moment
    unit: Unit
    provenance: Provenance


def compute(
    rule: DeadlineRule,
    anchor: Anchor,
    *,
    policy: SlaPolicy,
    calendar: ProductionCalendar,
    timezone: str,
) -> ComputedDeadline:
    """The deadline ``rule`` gives when counted from ``anchor``."""
    zone = ZoneInfo(timezone)
    local = anchor.at.astimezone(zone)
    start = local.date()
    steps = [f"Отсчёт: {rule.describe()}; {anchor.event} {local:%d.%m.%Y %H:%M} ({timezone})."]
    if rule.unit is Unit.WORKING_HOURS:
        due_local = calendar.add_working_time(local, timedelta(hours=rule.amount))
        steps.append(
            f"{rule.amount} ч рабочего времени по графику календаря → {due_local:%d.%m.%Y %H:%M}."
        )
        due = due_local.astimezone(UTC)
        steps.extend(coverage(calendar, start, due_local.date()))
    else:
        due, counted = counted_days(rule, start, calendar, zone)
        steps.extend(counted)
    return ComputedDeadline(
        deadline=rule.deadline,
        due=due,
        unit=rule.unit,
        provenance=Provenance(
            policy_id=policy.id,
            policy_version=policy.version,
            calendar_id=calendar.id,
            calendar_version=calendar.version,
            timezone=timezone,
            anchor=anchor,
            rule=rule.describe(),
            steps=tuple(steps),
        ),
    )


def extend(
    current: ComputedDeadline, days: int, *, calendar: ProductionCalendar
) -> ComputedDeadline:
    """The deadline moved by ``days`` calendar days past its last day, rolled off days off."""
    if days < 1:
        raise ValueError("an extension is at least one day")
    zone = ZoneInfo(current.provenance.timezone)
    last = (current.due - timedelta(microseconds=1)).astimezone(zone).date()
    moved = last + timedelta(days=days)
    rolled = calendar.roll_forward(moved)
    steps = [f"Продление на {days} календарных дней: {fmt(last)} → {fmt(moved)}."]
    if rolled != moved:
        steps.append(f"{fmt(moved)} — нерабочий день: перенос на {fmt(rolled)}.")
    return _with(current, end_of(rolled, zone), steps, calendar)


def resume(
    current: ComputedDeadline, paused: timedelta, *, calendar: ProductionCalendar
) -> ComputedDeadline:
    """After a pause the deadline moves by the paused time (never earlier), then, for a term in
    days, off a day off."""
    paused = max(paused, timedelta(0))
    zone = ZoneInfo(current.provenance.timezone)
    due = current.due + paused
    steps = [f"Приостановка на {paused}: срок сдвигается на то же время."]
    if current.unit is not Unit.WORKING_HOURS:
        last = (due - timedelta(microseconds=1)).astimezone(zone).date()
        rolled = calendar.roll_forward(last)
        if rolled != last:
            steps.append(f"{fmt(last)} — нерабочий день: перенос на {fmt(rolled)}.")
            due = end_of(rolled, zone)
    return _with(current, due, steps, calendar)


def _with(
    current: ComputedDeadline, due: datetime, steps: list[str], calendar: ProductionCalendar
) -> ComputedDeadline:
    provenance = msgspec.structs.replace(
        current.provenance,
        calendar_id=calendar.id,
        calendar_version=calendar.version,
        steps=(*current.provenance.steps, *steps),
    )
    return msgspec.structs.replace(current, due=due.astimezone(UTC), provenance=provenance)


_ALL = frozenset(Kind)

FEDERAL = SlaPolicy(
    id="federal",
    version=1,
    title="Федеральные сроки: 59-ФЗ (обращения), ПОС (сообщения), нормы реагирования на инциденты",
    rules=(
        DeadlineRule(
            deadline=Deadline.REGISTER,
            kinds=frozenset({Kind.APPEAL}),
            anchor="AppealReceived",
            amount=3,
            unit=Unit.CALENDAR_DAYS,
        ),
        DeadlineRule(
            deadline=Deadline.REGISTER,
            kinds=frozenset({Kind.MESSAGE, Kind.INCIDENT, Kind.CALL}),
            anchor="AppealReceived",
            amount=1,
            unit=Unit.WORKING_DAYS,
        ),
        DeadlineRule(
            deadline=Deadline.FORWARD,
            kinds=frozenset({Kind.APPEAL}),
            anchor="AppealRegistered",
            amount=7,
            unit=Unit.CALENDAR_DAYS,
        ),
        DeadlineRule(
            deadline=Deadline.ANSWER,
            kinds=frozenset({Kind.APPEAL}),
            anchor="AppealRegistered",
            amount=30,
            unit=Unit.CALENDAR_DAYS,
        ),
        DeadlineRule(
            deadline=Deadline.ANSWER,
            kinds=frozenset({Kind.MESSAGE, Kind.CALL}),
            anchor="AppealRegistered",
            amount=10,
            unit=Unit.CALENDAR_DAYS,
        ),
        DeadlineRule(
            deadline=Deadline.FIRST_REACTION,
            kinds=frozenset({Kind.INCIDENT}),
            anchor="AppealReceived",
            amount=8,
            unit=Unit.WORKING_HOURS,
        ),
        DeadlineRule(
            deadline=Deadline.ANSWER,
            kinds=frozenset({Kind.INCIDENT}),
            anchor="AppealRegistered",
            amount=7,
            unit=Unit.WORKING_DAYS,
        ),
    ),
)
assert all(r.kinds <= _ALL for r in FEDERAL.rules)
