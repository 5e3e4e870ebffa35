"""The production calendar as versioned data in the event store ("the calendar book").

A calendar is an event-sourced stream: a year is seeded (from the ``holidays`` package, with its
source recorded), and every later change — a late decree, a regional holiday — is an event with
its reason and the person who made it. The calendar's version is the stream's version, and every
deadline computed under it records that version.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from domain.appeals.vocabulary import Deadline, Kind
from domain.shared.actors import Actor, Role
from domain.shared.envelope import Envelope
from domain.shared.errors import (
    Forbidden,
    InvalidCommand,
    RuleViolated,
)
from domain.shared.inputs import Input, as_record, line, text
from domain.shared.time import require_aware
from domain.sla import statute
from domain.sla.calendar import CalendarDay, DayKind, ProductionCalendar
from domain.sla.policy import DeadlineRule, SlaPolicy

_NAMESPACE = uuid.UUID("2f4b8a71-9a7e-4d0e-8a61-3b1c5f7d9e20")
EDITORS = frozenset({Role.CURATOR, Role.HEAD, Role.ADMINISTRATOR})


def stream_id(calendar_id: str) -> UUID:
    return uuid.uuid5(_NAMESPACE, f"calendar:{calendar_id}")


class CalendarEvent(Envelope, frozen=True, kw_only=True, gc=False):
    calendar_id: str


class CalendarYearSeeded(CalendarEvent, frozen=True, kw_only=True):
    year: int
    days: tuple[CalendarDay, ...]  # the days that differ from the Monday-to-Friday rule
    source: str  # «holidays 0.109 (RU)»


class CalendarDayCorrected(CalendarEvent, frozen=True, kw_only=True):
    day: CalendarDay
    reason: str
    decree: str | None  # «Постановление Правительства РФ от … № …»


CALENDAR_EVENT_TYPES: tuple[type[CalendarEvent], ...] = (CalendarYearSeeded, CalendarDayCorrected)


class CorrectDay(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Set one day of the calendar (an administrator's correction)."""

    day: date
    kind: DayKind
    note: Annotated[str, line(300, min_length=0)] = ""
    reason: Annotated[str, text(1000, min_length=3)]
    decree: Annotated[str, line(500)] | None = None


def evolve(calendar: ProductionCalendar | None, event: CalendarEvent) -> ProductionCalendar:
    calendar = calendar or ProductionCalendar(id=event.calendar_id, version=0)
    if isinstance(event, CalendarYearSeeded):
        kept = tuple(d for d in calendar.exceptions if d.day.year != event.year)
        return msgspec.structs.replace(
            calendar,
            version=event.originator_version,
            years=tuple(sorted({*calendar.years, event.year})),
            exceptions=tuple(sorted((*kept, *event.days), key=lambda d: d.day)),
        )
    if isinstance(event, CalendarDayCorrected):
        return msgspec.structs.replace(
            calendar.corrected(event.day), version=event.originator_version
        )
    return calendar


def fold(calendar_id: str, events: Iterable[CalendarEvent]) -> ProductionCalendar:
    calendar = ProductionCalendar(id=calendar_id, version=0)
    for event in events:
        calendar = evolve(calendar, event)
    return calendar


def decide_seed(
    calendar: ProductionCalendar,
    year: int,
    days: Sequence[CalendarDay],
    *,
    source: str,
    actor: Actor,
    now: datetime,
) -> list[CalendarEvent]:
    if year in calendar.years:
        raise RuleViolated(f"{year} is already in the calendar; correct its days instead")
    if any(d.day.year != year for d in days):
        raise InvalidCommand(f"every seeded day must be in {year}")
    return [
        CalendarYearSeeded(
            originator_id=stream_id(calendar.id),
            originator_version=calendar.version + 1,
            timestamp=now,
            occurred_at=now,
            actor=actor,
            calendar_id=calendar.id,
            year=year,
            days=tuple(days),
            source=source,
        )
    ]


def decide_correct(
    calendar: ProductionCalendar, command: CorrectDay, *, actor: Actor, now: datetime
) -> list[CalendarEvent]:
    if actor.role not in EDITORS:
        raise Forbidden("only a curator, the head or an administrator corrects the calendar")
    current = calendar.day(command.day)
    if current.kind is command.kind and current.note == command.note:
        raise RuleViolated(f"{command.day.isoformat()} is already {command.kind}")
    if (
        command.kind is DayKind.SHORTENED
        and command.day.weekday() >= 5
        and current.kind not in (DayKind.WORKING, DayKind.SHORTENED)
    ):
        raise InvalidCommand("a weekend day is shortened only if it is a working day")
    day = CalendarDay(day=command.day, kind=command.kind, note=command.note)
    return [
        CalendarDayCorrected(
            originator_id=stream_id(calendar.id),
            originator_version=calendar.version + 1,
            timestamp=now,
            occurred_at=now,
            actor=actor,
            calendar_id=calendar.id,
            day=day,
            reason=command.reason,
            decree=command.decree,
        )
    ]


class SeedYears(msgspec.Struct, frozen=True, kw_only=True):
    """Seed the years not yet in the calendar (the others are left as corrected)."""

    years: dict[int, Sequence[CalendarDay]]
    source: str


def decide_seeds(
    calendar: ProductionCalendar, command: SeedYears, *, actor: Actor, now: datetime
) -> list[CalendarEvent]:
    events: list[CalendarEvent] = []
    for year, days in sorted(command.years.items()):
        if year in calendar.years:
            continue
        new = decide_seed(calendar, year, days, source=command.source, actor=actor, now=now)
        events.extend(new)
        calendar = evolve(calendar, new[0])
    return events


# --- SLA policies as versioned data ------------------------------------------------------------
def policy_stream_id(policy_id: str) -> UUID:
    return uuid.uuid5(_NAMESPACE, f"sla-policy:{policy_id}")


class PolicyEvent(Envelope, frozen=True, kw_only=True, gc=False):
    policy_id: str


class SlaPolicyPublished(PolicyEvent, frozen=True, kw_only=True):
    """A version of a policy (``policy.effective_from``: the appeals it applies to, by receipt;
    None in events older than the field: from the publication). A correction (an error in the
    policy, with its reason) re-times running deadlines, later only unless ``may_shorten``."""

    policy: SlaPolicy  # its version is the stream's version
    note: str
    correction: bool = False
    reason: str | None = None  # a correction's: what was wrong
    may_shorten: bool = False  # a correction that may move running deadlines earlier


POLICY_EVENT_TYPES: tuple[type[PolicyEvent], ...] = (SlaPolicyPublished,)


class DeadlineRuleInput(DeadlineRule, Input, frozen=True, kw_only=True):
    """One term as a policy's author gives it (the event stores a plain DeadlineRule)."""

    topic: Annotated[str, line(500)] | None = None
    anchor: Annotated[str, line(100)]
    amount: Annotated[int, msgspec.Meta(ge=-3660, le=3660)]  # < 1: refused by the decider


class PublishPolicy(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new version of an SLA policy: the whole set of rules (a region's terms)."""

    title: Annotated[str, line(300, min_length=3)]
    rules: Annotated[tuple[DeadlineRuleInput, ...], msgspec.Meta(max_length=500)]
    max_extension_days: Annotated[int, msgspec.Meta(ge=0, le=3660)] = 30
    single_extension: frozenset[Kind] = frozenset({Kind.MESSAGE})
    pausable: frozenset[Kind] = frozenset({Kind.MESSAGE, Kind.INCIDENT, Kind.CALL})
    at_risk_share: Annotated[float, msgspec.Meta(gt=0, lt=1)] = 0.2
    note: Annotated[str, text(1000, min_length=3)]
    # From when (by an appeal's receipt) it applies; None: now (a correction: the corrected
    # version's date, so the appeals that version covered are counted under the corrected one).
    effective_from: datetime | None = None
    correction: bool = False  # an error in the version in force, re-timing running deadlines
    reason: Annotated[str, text(1000, min_length=3)] | None = None  # a correction's, required
    may_shorten: bool = False  # a correction may move running deadlines earlier (say why)


def decide_publish(
    current: SlaPolicy | None,
    policy_id: str,
    command: PublishPolicy,
    *,
    actor: Actor,
    now: datetime,
    ceilings: Iterable[statute.Ceiling] = statute.CEILINGS,
) -> list[PolicyEvent]:
    """A new version of the policy, refused when it lengthens a term beyond its ceiling
    (``domain.sla.statute``) or backdates an ordinary version."""
    if actor.role not in EDITORS and actor.role is not Role.SYSTEM:
        raise Forbidden("only a curator, the head or an administrator publishes SLA policies")
    statute.check(command.rules, command.max_extension_days, ceilings)
    effective_from = _effective_from(current, command, now)
    for kind in Kind:
        for deadline in (Deadline.REGISTER, Deadline.ANSWER):
            if not any(r.deadline is deadline and kind in r.kinds for r in command.rules):
                raise InvalidCommand(f"every kind needs a {deadline} rule; {kind} has none")
    version = (current.version if current else 0) + 1
    policy = SlaPolicy(
        id=policy_id,
        version=version,
        title=command.title,
        rules=tuple(as_record(rule, DeadlineRule) for rule in command.rules),
        max_extension_days=command.max_extension_days,
        single_extension=command.single_extension,
        pausable=command.pausable,
        at_risk_share=command.at_risk_share,
        effective_from=effective_from,
    )
    return [
        SlaPolicyPublished(
            originator_id=policy_stream_id(policy_id),
            originator_version=version,
            timestamp=now,
            occurred_at=now,
            actor=actor,
            policy_id=policy_id,
            policy=policy,
            note=command.note,
            correction=command.correction,
            reason=command.reason,
            may_shorten=command.may_shorten,
        )
    ]


def _effective_from(current: SlaPolicy | None, command: PublishPolicy, now: datetime) -> datetime:
    """When the new version applies from. An ordinary version applies to appeals received from
    now on: a date in the past would change the terms of appeals already running, which only a
    correction may do. A correction says what was wrong and applies from the corrected version's
    date unless it names its own."""
    if command.correction:
        if command.reason is None:
            raise InvalidCommand("a correction names its reason: what was wrong in the policy")
        if command.effective_from is not None:
            return require_aware(command.effective_from, "effective_from")
        return (current.effective_from or now) if current is not None else now
    if command.reason is not None or command.may_shorten:
        raise InvalidCommand("`reason` and `may_shorten` are a correction's (`correction: true`)")
    if command.effective_from is None:
        return now
    effective_from = require_aware(command.effective_from, "effective_from")
    if effective_from < now:
        raise InvalidCommand(
            "a new version applies to appeals received from now on; a past `effective_from`"
            " changes running terms, which only a correction does (`correction: true`)"
        )
    return effective_from
