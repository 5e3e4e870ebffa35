"""SLA policies as versioned data, and deadlines computed with their provenance.

A deadline is never typed in: it is an anchor event plus a duration in a unit (calendar days,
working days, working hours), under a production calendar, in the municipality's time zone, with a
roll-over rule. Each computed deadline carries everything an auditor needs to recompute it and to
read why it falls where it does: the policy id and version, the calendar id and version, the anchor
event, the rule, and the steps (in Russian, as the staff and the prosecutor's office read them).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import msgspec

from domain.appeals.vocabulary import Channel, Deadline, Kind
from domain.sla.calendar import ProductionCalendar


class Unit(StrEnum):
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"


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
        if len(_RULES) >= _DAYS_MAX:
            _RULES.clear()
        _RULES[key] = (self, chosen)
        return chosen


# The rule chosen for each kind of appeal, by the policy's identity (kept alive in the value).
_RULES: dict[tuple[int, Deadline, Kind, Channel, str | None], tuple[SlaPolicy, DeadlineRule | None]]
_RULES = {}


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


def _fmt(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    """The instant the local day ends (the next day's 00:00), in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def _coverage(calendar: ProductionCalendar, first: date, last: date) -> list[str]:
    missing = sorted({y for y in range(first.year, last.year + 1)} - set(calendar.years))
    return [
        f"{y} год не входит в календарь {calendar.id} версии {calendar.version}:"
        " учтены только субботы и воскресенья"
        for y in missing
    ]


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
        steps.extend(_coverage(calendar, start, due_local.date()))
    else:
        due, counted = _counted_days(rule, start, calendar, zone)
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


# A term in days depends on its first day only: the deadlines of a day's appeals (thousands in a
# bulk import) are counted once. Keyed by the objects' identities (kept alive in the value, so an
# id is never reused while its entry lives), bounded.
_DAYS: dict[tuple[int, int, str, date], tuple[object, object, datetime, tuple[str, ...]]] = {}
_DAYS_MAX = 50_000


def _counted_days(
    rule: DeadlineRule, start: date, calendar: ProductionCalendar, zone: ZoneInfo
) -> tuple[datetime, tuple[str, ...]]:
    """The end of a term in days counted from ``start``, and the steps that say how."""
    key = (id(rule), id(calendar), zone.key, start)
    known = _DAYS.get(key)
    if known is not None and known[0] is rule and known[1] is calendar:
        return known[2], known[3]
    steps = []
    if rule.unit is Unit.CALENDAR_DAYS:
        last = start + timedelta(days=rule.amount)
        steps.append(
            f"Со дня, следующего за {_fmt(start)}, {rule.amount} календарных дней → {_fmt(last)}."
        )
        if rule.roll_over and not calendar.is_working(last):
            rolled = calendar.roll_forward(last)
            steps.append(
                f"{_fmt(last)} — нерабочий день ({calendar.day(last).note or calendar.kind(last)})"
                f": срок переносится на ближайший рабочий день {_fmt(rolled)}."
            )
            last = rolled
    else:
        last = calendar.add_working_days(start, rule.amount)
        steps.append(f"{rule.amount}-й рабочий день после {_fmt(start)} → {_fmt(last)}.")
    due = _end_of(last, zone)
    steps.append(f"Срок истекает в конце дня {_fmt(last)} (24:00 местного времени).")
    steps.extend(_coverage(calendar, start, last))
    if len(_DAYS) >= _DAYS_MAX:
        _DAYS.clear()
    _DAYS[key] = (rule, calendar, due, tuple(steps))
    return due, tuple(steps)


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
    steps = [f"Продление на {days} календарных дней: {_fmt(last)} → {_fmt(moved)}."]
    if rolled != moved:
        steps.append(f"{_fmt(moved)} — нерабочий день: перенос на {_fmt(rolled)}.")
    return _with(current, _end_of(rolled, zone), steps, calendar)


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
            steps.append(f"{_fmt(last)} — нерабочий день: перенос на {_fmt(rolled)}.")
            due = _end_of(rolled, zone)
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
