"""What every decision of the appeal shares: the business time, the context that stamps its
events, the table of decisions by command, and the rules several decisions check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.state import AppealState
from domain.shared.actors import Actor
from domain.shared.errors import InvalidCommand, RuleViolated
from domain.shared.time import ALLOWED_CLOCK_SKEW_SECONDS, require_aware
from domain.sla.clock import SlaClock
from domain.sla.policy import Anchor, ComputedDeadline


def business_time(command: cmd.Command, now: datetime, state: AppealState | None) -> datetime:
    """The act's business time: given or now; never in the future, never before receipt."""
    if command.occurred_at is None:
        return now
    moment = require_aware(command.occurred_at, "occurred_at")
    if moment > now + timedelta(seconds=ALLOWED_CLOCK_SKEW_SECONDS):
        raise InvalidCommand("occurred_at cannot be in the future")
    if state is not None and moment < state.received_at:
        raise InvalidCommand("occurred_at cannot be earlier than the appeal's receipt")
    return moment


class Context:
    """What every decision needs to stamp its events."""

    def __init__(
        self,
        state: AppealState | None,
        command: cmd.Command,
        actor: Actor,
        now: datetime,
        policy: SlaClock,
        appeal_id: UUID,
    ) -> None:
        self.state = state
        self.actor = actor
        self.now = now
        # An appeal's deadlines count in the time zone it was received under.
        self.policy = policy.in_zone(state.timezone) if state is not None else policy
        self.appeal_id = appeal_id
        self.at = business_time(command, now, state)
        self._next_version = (state.version if state else 0) + 1

    def anchor(self, event: str) -> Anchor:
        """The event about to be stamped, as the anchor of the deadlines it starts."""
        return Anchor(event=event, version=self._next_version, at=self.at)

    def envelope(self) -> dict[str, Any]:
        version = self._next_version
        self._next_version += 1
        return {
            "originator_id": self.appeal_id,
            "originator_version": version,
            "timestamp": self.now,
            "occurred_at": self.at,
            "actor": self.actor,
        }

    @property
    def s(self) -> AppealState:
        assert self.state is not None
        return self.state


C = TypeVar("C", bound=cmd.Command)
Handler = Callable[[Any, Context], list[ev.AppealEvent]]


class Decisions:
    """One concern's decisions, by the command each decides."""

    def __init__(self) -> None:
        self.by_command: dict[type[cmd.Command], Handler] = {}

    def handles(
        self, command_type: type[C]
    ) -> Callable[[Callable[[C, Context], list[ev.AppealEvent]]], Handler]:
        def register(fn: Callable[[C, Context], list[ev.AppealEvent]]) -> Handler:
            self.by_command[command_type] = fn
            return fn

        return register


def require_assigned(c: Context, action: str) -> None:
    if c.s.department is None:
        raise RuleViolated(f"{action} cannot be given before the appeal is assigned")


def require_not_forwarded(c: Context) -> None:
    if c.s.forwarded_to is not None:
        raise RuleViolated("the appeal was forwarded to another body")


def present(*computed: ComputedDeadline | None) -> tuple[ComputedDeadline, ...]:
    return tuple(d for d in computed if d is not None)
