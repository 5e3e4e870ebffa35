"""The production calendar as versioned data in the event store ("the calendar book").

A calendar is an event-sourced stream: a year is seeded (from the ``holidays`` package, with its
source recorded), and every later change — a late decree, a regional holiday — is an event with
its reason and the person who made it. The calendar's version is the stream's version, and every
deadline computed under it records that version.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec
from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError

from domain.appeals.vocabulary import Deadline, Kind
from domain.shared.actors import Actor, Role
from domain.shared.errors import (
    ConcurrencyConflict,
    Forbidden,
    InvalidCommand,
    NotFound,
    RuleViolated,
    VersionMismatch,
)
from domain.shared.inputs import Input, as_record, line, text
from domain.sla.calendar import CalendarDay, DayKind, ProductionCalendar
from domain.sla.policy import DeadlineRule, SlaPolicy

_NAMESPACE = uuid.UUID("2f4b8a71-9a7e-4d0e-8a61-3b1c5f7d9e20")
EDITORS = frozenset({Role.CURATOR, Role.HEAD, Role.ADMINISTRATOR})


def stream_id(calendar_id: str) -> UUID:
    return uuid.uuid5(_NAMESPACE, f"calendar:{calendar_id}")


class CalendarEvent(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    class_version: ClassVar[int] = 1

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    occurred_at: datetime
    actor: Actor
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


def fold(calendar_id: str, events: Iterable[CalendarEvent]) -> ProductionCalendar:
    calendar = ProductionCalendar(id=calendar_id, version=0)
    for event in events:
        if isinstance(event, CalendarYearSeeded):
            kept = tuple(d for d in calendar.exceptions if d.day.year != event.year)
            calendar = msgspec.structs.replace(
                calendar,
                version=event.originator_version,
                years=tuple(sorted({*calendar.years, event.year})),
                exceptions=tuple(sorted((*kept, *event.days), key=lambda d: d.day)),
            )
        elif isinstance(event, CalendarDayCorrected):
            calendar = msgspec.structs.replace(
                calendar.corrected(event.day), version=event.originator_version
            )
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


class CalendarBook:
    """Reads and changes calendars through the event store."""

    def __init__(self, store: Application[UUID], clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def events(self, calendar_id: str) -> list[CalendarEvent]:
        found: list[Any] = list(self.store.events.get(stream_id(calendar_id)))
        return [e for e in found if isinstance(e, CalendarEvent)]

    def calendar(self, calendar_id: str = "RU") -> ProductionCalendar:
        return fold(calendar_id, self.events(calendar_id))

    def seed(
        self,
        years: dict[int, Sequence[CalendarDay]],
        *,
        source: str,
        actor: Actor,
        calendar_id: str = "RU",
    ) -> ProductionCalendar:
        """Seed the years not yet in the calendar (the others are left as corrected)."""
        recorded = self.events(calendar_id)
        calendar = fold(calendar_id, recorded)
        events: list[CalendarEvent] = []
        for year, days in sorted(years.items()):
            if year in calendar.years:
                continue
            new = decide_seed(calendar, year, days, source=source, actor=actor, now=self.clock())
            events.extend(new)
            calendar = fold(calendar_id, [*recorded, *events])
        if events:
            try:
                self.store.save(*events)
            except IntegrityError:  # another process seeded it first: theirs stands
                return self.calendar(calendar_id)
        return calendar

    def correct(
        self,
        command: CorrectDay,
        *,
        actor: Actor,
        expected_version: int | None = None,
        calendar_id: str = "RU",
    ) -> ProductionCalendar:
        recorded = self.events(calendar_id)
        calendar = fold(calendar_id, recorded)
        if calendar.version == 0:
            raise NotFound(f"there is no calendar {calendar_id}; seed it first")
        if expected_version is not None and expected_version != calendar.version:
            raise VersionMismatch(expected_version, calendar.version)
        events = decide_correct(calendar, command, actor=actor, now=self.clock())
        try:
            self.store.save(*events)
        except IntegrityError:
            raise ConcurrencyConflict(
                "the calendar was changed at the same time; reload it and decide again"
            ) from None
        return fold(calendar_id, [*recorded, *events])


# --- SLA policies as versioned data ------------------------------------------------------------
def policy_stream_id(policy_id: str) -> UUID:
    return uuid.uuid5(_NAMESPACE, f"sla-policy:{policy_id}")


class PolicyEvent(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    class_version: ClassVar[int] = 1

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    occurred_at: datetime
    actor: Actor
    policy_id: str


class SlaPolicyPublished(PolicyEvent, frozen=True, kw_only=True):
    policy: SlaPolicy  # its version is the stream's version
    note: str


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


def decide_publish(
    current: SlaPolicy | None,
    policy_id: str,
    command: PublishPolicy,
    *,
    actor: Actor,
    now: datetime,
) -> list[PolicyEvent]:
    if actor.role not in EDITORS and actor.role is not Role.SYSTEM:
        raise Forbidden("only a curator, the head or an administrator publishes SLA policies")
    if command.max_extension_days > 30:
        raise InvalidCommand("59-ФЗ allows an extension of 30 days at most, in all")
    for rule in command.rules:
        if rule.amount < 1:
            raise InvalidCommand(f"the {rule.deadline} rule needs an amount of at least 1")
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
        )
    ]


class PolicyBook:
    """Reads and publishes SLA policies through the event store."""

    def __init__(self, store: Application[UUID], clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def policy(self, policy_id: str) -> SlaPolicy | None:
        found: list[Any] = list(self.store.events.get(policy_stream_id(policy_id)))
        published = [e for e in found if isinstance(e, SlaPolicyPublished)]
        return published[-1].policy if published else None

    def publish(
        self,
        policy_id: str,
        command: PublishPolicy,
        *,
        actor: Actor,
        expected_version: int | None = None,
    ) -> SlaPolicy:
        current = self.policy(policy_id)
        version = current.version if current else 0
        if expected_version is not None and expected_version != version:
            raise VersionMismatch(expected_version, version)
        events = decide_publish(current, policy_id, command, actor=actor, now=self.clock())
        try:
            self.store.save(*events)
        except IntegrityError:
            raise ConcurrencyConflict(
                "the policy was published at the same time; reload it and decide again"
            ) from None
        published = events[0]
        assert isinstance(published, SlaPolicyPublished)
        return published.policy

    def seed(self, policy: SlaPolicy, *, actor: Actor) -> SlaPolicy:
        """Publish ``policy`` as version 1 when nothing is published under its id yet."""
        current = self.policy(policy.id)
        if current is not None:
            return current
        command = PublishPolicy(
            title=policy.title,
            rules=tuple(as_record(rule, DeadlineRuleInput) for rule in policy.rules),
            max_extension_days=policy.max_extension_days,
            single_extension=policy.single_extension,
            pausable=policy.pausable,
            at_risk_share=policy.at_risk_share,
            note="Федеральные сроки по умолчанию",
        )
        try:
            return self.publish(policy.id, command, actor=actor)
        except ConcurrencyConflict:  # another process seeded it first: theirs stands
            found = self.policy(policy.id)
            assert found is not None
            return found
