"""A legal hold on an appeal: while an appeal is in a dispute (a court case, a prosecutor's check,
the archive's expert commission selecting it), its personal data outlives its retention period.
One stream per appeal; placing a hold on a held appeal, or lifting one from an appeal not held, is
refused."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar
from uuid import UUID

import msgspec

from domain.shared.actors import Actor, Role
from domain.shared.envelope import Envelope, Stamper
from domain.shared.errors import Forbidden, RuleViolated
from domain.shared.handler import Decider, Decision
from domain.shared.inputs import Input, ShortText

_HOLDS = uuid.UUID("4f8d6c1e-2b7a-4e93-8d05-6a1c9e3b7f24")
# Who places and lifts holds: the administrator who answers for information protection and the
# control centre's head (the lawyer's request reaches them).
MAY_HOLD = frozenset({Role.SECURITY_ADMIN, Role.HEAD})


def hold_stream(appeal_id: UUID) -> UUID:
    """The hold stream of an appeal, named by the appeal: found again without a lookup."""
    return uuid.uuid5(_HOLDS, str(appeal_id))


class HoldEvent(Envelope, frozen=True, kw_only=True, gc=False):
    """Base of a legal hold's events."""

    appeal_id: UUID


class LegalHoldPlaced(HoldEvent, frozen=True, kw_only=True):
    ground: str  # the case: «дело № А40-…», «проверка прокуратуры от …», «отбор ЭПК»


class LegalHoldLifted(HoldEvent, frozen=True, kw_only=True):
    ground: str  # why the hold ends: the decision in force, the check closed


HOLD_EVENT_TYPES: tuple[type[HoldEvent], ...] = (LegalHoldPlaced, LegalHoldLifted)


class PlaceHold(Input, frozen=True, kw_only=True):
    action: ClassVar[str] = "place a legal hold"

    appeal_id: UUID
    ground: ShortText


class LiftHold(Input, frozen=True, kw_only=True):
    action: ClassVar[str] = "lift a legal hold"

    appeal_id: UUID
    ground: ShortText


HoldCommand = PlaceHold | LiftHold


class Hold(msgspec.Struct, frozen=True, kw_only=True):
    appeal_id: UUID
    held: bool
    ground: str
    since: datetime


def evolve(state: Hold | None, event: HoldEvent) -> Hold:
    return Hold(
        appeal_id=event.appeal_id,
        held=isinstance(event, LegalHoldPlaced),
        ground=event.ground if isinstance(event, LegalHoldPlaced | LegalHoldLifted) else "",
        since=event.occurred_at,
    )


def authorise(_state: Hold | None, _command: HoldCommand, actor: Actor) -> None:
    if actor.role not in MAY_HOLD:
        raise Forbidden(
            "only the information-protection administrator or the head places legal holds"
        )


def decide(state: Hold | None, command: HoldCommand, context: Decision) -> Sequence[HoldEvent]:
    stamp = Stamper(context.stream_id, context.version, context.actor, context.now, context.now)
    held = state is not None and state.held
    if isinstance(command, PlaceHold):
        if held:
            raise RuleViolated("the appeal is already under a legal hold")
        return [
            LegalHoldPlaced(**stamp.envelope(), appeal_id=command.appeal_id, ground=command.ground)
        ]
    if not held:
        raise RuleViolated("the appeal is not under a legal hold")
    return [LegalHoldLifted(**stamp.envelope(), appeal_id=command.appeal_id, ground=command.ground)]


HOLD_DECIDER: Decider[Hold, HoldCommand, HoldEvent] = Decider(
    name="legal hold",
    events=HoldEvent,
    evolve=evolve,
    decide=decide,
    authorise=authorise,
)
