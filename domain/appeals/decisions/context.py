"""What every decision of the appeal shares: the business time, the context that stamps its
events, the table of decisions by command, and the rules several decisions check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.state import AppealState
from domain.shared.actors import Actor
from domain.shared.envelope import Stamper
from domain.shared.errors import InvalidCommand, RuleViolated
from domain.shared.time import ALLOWED_CLOCK_SKEW, require_aware
from domain.shared.time import business_time as shared_business_time
from domain.sla.clock import SlaClock
from domain.sla.policy import Anchor, ComputedDeadline


def business_time(command: cmd.Command, now: datetime, state: AppealState | None) -> datetime:
    """The act's business time: given or now; never in the future, never before receipt."""
    received = state.received_at if state is not None else None
    return shared_business_time(
        command.occurred_at, now, not_before=received, what="the appeal's receipt"
    )


class Context(Stamper):
    """What every decision on an appeal needs to stamp its events."""

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
        at = business_time(command, now, state)
        # An appeal's deadlines count in the time zone it was received under, and under the
        # policy version in force at its receipt.
        zoned = policy.in_zone(state.timezone) if state is not None else policy
        self.policy = zoned.as_of(state.received_at if state is not None else at)
        self.appeal_id = appeal_id
        super().__init__(appeal_id, state.version if state else 0, actor, now, at)

    def anchor(self, event: str) -> Anchor:
        """The event about to be stamped, as the anchor of the deadlines it starts."""
        return Anchor(event=event, version=self.next_version, at=self.at)

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


def notice_time(c: Context, notified: datetime, registered: datetime | None, law: str) -> datetime:
    """A notice to the citizen of an act counted from registration is dated within
    [registration, now] (``law``: the article that requires the notice)."""
    notified = require_aware(notified, "citizen_notified_at")
    if notified > c.now + ALLOWED_CLOCK_SKEW:
        raise InvalidCommand("citizen_notified_at cannot be in the future")
    if registered is None or notified < registered:
        raise InvalidCommand(
            f"{law}: the citizen is notified after the appeal's registration;"
            f" citizen_notified_at {notified.isoformat()} is before it"
            f" ({registered.isoformat() if registered else 'not registered'})"
        )
    return notified


def _body(name: str) -> str:
    return " ".join(name.casefold().replace("ё", "е").strip("«»\"' ").split())


def same_body(a: str, b: str) -> bool:
    """Whether two names are of one body or official (without case, quotes and extra spaces)."""
    return _body(a) == _body(b)


def require_not_complained_of(bodies: tuple[str, ...], complaint_against: str | None) -> None:
    """ст.8 ч.6 59-ФЗ: a complaint never goes to the body or official whose decision or act it
    complains about (names compared without case, quotes and extra spaces)."""
    if complaint_against is None:
        return
    for body in bodies:
        if _body(body) == _body(complaint_against):
            raise RuleViolated(
                "ст.8 ч.6 59-ФЗ: запрещается направлять жалобу на рассмотрение в орган или"
                " должностному лицу, решение или действие (бездействие) которых обжалуется;"
                f" the complaint is about '{complaint_against}' and cannot be sent to '{body}'"
            )
