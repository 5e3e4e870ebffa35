"""The calendar book and the policy book: the production calendar's and the SLA policies'
streams, read and changed through the one command handler."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.application import Application

from domain.shared.actors import Actor
from domain.shared.errors import ConcurrencyConflict
from domain.shared.handler import CommandHandler, Decider, Decision, Written
from domain.shared.inputs import as_record
from domain.sla.book import (
    CalendarEvent,
    CorrectDay,
    DeadlineRuleInput,
    PolicyEvent,
    PublishPolicy,
    SeedYears,
    SlaPolicyPublished,
    decide_correct,
    decide_publish,
    decide_seeds,
    evolve,
    policy_stream_id,
    stream_id,
)
from domain.sla.calendar import CalendarDay, ProductionCalendar
from domain.sla.policy import SlaPolicy
from domain.sla.statute import CEILINGS, Ceiling


def calendar_decider(calendar_id: str) -> Decider[ProductionCalendar, Any, CalendarEvent]:
    """A calendar's stream: seeded years and corrected days."""

    def decide(state: ProductionCalendar | None, command: Any, c: Decision) -> list[CalendarEvent]:
        calendar = state or ProductionCalendar(id=calendar_id, version=0)
        if isinstance(command, SeedYears):
            return decide_seeds(calendar, command, actor=c.actor, now=c.now)
        return decide_correct(calendar, command, actor=c.actor, now=c.now)

    return Decider(
        name="calendar",
        events=CalendarEvent,
        evolve=evolve,
        decide=decide,
        missing=f"there is no calendar {calendar_id}; seed it first",
    )


class CalendarBook:
    """Reads and changes calendars through the one command handler."""

    def __init__(self, store: Application[UUID], clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        self.handler = CommandHandler(store, clock)

    def events(self, calendar_id: str) -> list[CalendarEvent]:
        return [r.event for r in self.handler.read(CalendarEvent, stream_id(calendar_id))]

    def calendar(self, calendar_id: str = "RU") -> ProductionCalendar:
        loaded = self.handler.load(calendar_decider(calendar_id), stream_id(calendar_id))
        return loaded.state or ProductionCalendar(id=calendar_id, version=0)

    def seed(
        self,
        years: dict[int, Sequence[CalendarDay]],
        *,
        source: str,
        actor: Actor,
        calendar_id: str = "RU",
    ) -> ProductionCalendar:
        """Seed the years not yet in the calendar (the others are left as corrected)."""
        calendar = self.calendar(calendar_id)
        if all(year in calendar.years for year in years):
            return calendar
        try:
            return self.handler.handle(
                calendar_decider(calendar_id),
                stream_id(calendar_id),
                SeedYears(years=years, source=source),
                actor=actor,
                must_exist=False,
            ).state
        except ConcurrencyConflict:  # another process seeded it first: theirs stands
            return self.calendar(calendar_id)

    def correct(
        self,
        command: CorrectDay,
        *,
        actor: Actor,
        expected_version: int | None = None,
        calendar_id: str = "RU",
    ) -> ProductionCalendar:
        return self.record_correction(
            command, actor=actor, expected_version=expected_version, calendar_id=calendar_id
        ).state

    def record_correction(
        self,
        command: CorrectDay,
        *,
        actor: Actor,
        expected_version: int | None = None,
        calendar_id: str = "RU",
    ) -> Written[ProductionCalendar]:
        """Correct one day; the calendar with the position of the correction (the re-timing of
        the deadlines it moves follows from the log, in the re-timer)."""
        return self.handler.handle(
            calendar_decider(calendar_id),
            stream_id(calendar_id),
            command,
            actor=actor,
            expected_version=expected_version,
        )


def evolve_policy(_current: SlaPolicy | None, event: PolicyEvent) -> SlaPolicy:
    """The version published; one published before versions had a date applies from its
    publication (the meaning the event had when it was recorded)."""
    assert isinstance(event, SlaPolicyPublished)
    if event.policy.effective_from is not None:
        return event.policy
    return msgspec.structs.replace(event.policy, effective_from=event.occurred_at)


def policy_decider(
    policy_id: str, ceilings: tuple[Ceiling, ...] = CEILINGS
) -> Decider[SlaPolicy, PublishPolicy, PolicyEvent]:
    """A policy's stream: each published version (its version is the stream's)."""

    def decide(current: SlaPolicy | None, command: PublishPolicy, c: Decision) -> list[PolicyEvent]:
        return decide_publish(
            current, policy_id, command, actor=c.actor, now=c.now, ceilings=ceilings
        )

    return Decider(name="policy", events=PolicyEvent, evolve=evolve_policy, decide=decide)


class PolicyBook:
    """Reads and publishes SLA policies through the one command handler, under the ceilings
    the deployment configures (``domain.sla.statute.CEILINGS`` by default)."""

    def __init__(
        self,
        store: Application[UUID],
        clock: Callable[[], datetime],
        ceilings: tuple[Ceiling, ...] = CEILINGS,
    ) -> None:
        self.store = store
        self.clock = clock
        self.ceilings = ceilings
        self.handler = CommandHandler(store, clock)

    def policy(self, policy_id: str) -> SlaPolicy | None:
        """The latest version published (whether or not it is in force yet)."""
        decider = policy_decider(policy_id, self.ceilings)
        return self.handler.load(decider, policy_stream_id(policy_id)).state

    def versions(self, policy_id: str) -> tuple[SlaPolicy, ...]:
        """Every version published, each with the date it applies from (the SLA clock picks the
        one in force at an appeal's receipt)."""
        events = self.handler.read(PolicyEvent, policy_stream_id(policy_id))
        return tuple(evolve_policy(None, r.event) for r in events)

    def publish(
        self,
        policy_id: str,
        command: PublishPolicy,
        *,
        actor: Actor,
        expected_version: int | None = None,
    ) -> SlaPolicy:
        written = self.record_publication(
            policy_id, command, actor=actor, expected_version=expected_version
        )
        return written.state

    def record_publication(
        self,
        policy_id: str,
        command: PublishPolicy,
        *,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Written[SlaPolicy]:
        """Publish a new version; the policy with the position of its publication."""
        return self.handler.handle(
            policy_decider(policy_id, self.ceilings),
            policy_stream_id(policy_id),
            command,
            actor=actor,
            expected_version=expected_version,
            must_exist=False,
        )

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
