"""Claims through the one command handler: a claim's stream, its decider, and the results the
API reads (another command at the same time is a conflict, never a silent overwrite)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from uuid import UUID

import msgspec
from eventsourcing.application import Application

from domain.claims import commands as cmd
from domain.claims.decide import ClaimClock, decide
from domain.claims.events import ClaimEvent
from domain.claims.state import ClaimState, evolve
from domain.shared.actors import Actor
from domain.shared.errors import NotFound
from domain.shared.handler import CommandHandler, Decider, Decision, Written


class ClaimResult(msgspec.Struct, frozen=True, kw_only=True):
    state: ClaimState
    position: int  # the log position of the last event appended

    @classmethod
    def of(cls, written: Written[ClaimState]) -> ClaimResult:
        return cls(state=written.state, position=written.position)


class ClaimsService:
    def __init__(
        self,
        store: Application[UUID],
        clock: Callable[[], datetime],
        claim_clock: Callable[[], ClaimClock],
    ) -> None:
        self.store = store
        self.clock = clock
        self.claim_clock = claim_clock
        self.handler = CommandHandler(store, clock)
        self.decider: Decider[ClaimState, cmd.ClaimCommand, ClaimEvent] = Decider(
            name="claim", events=ClaimEvent, evolve=evolve, decide=self._decide
        )

    def events_of(self, claim_id: UUID) -> list[ClaimEvent]:
        return [r.event for r in self.handler.read(ClaimEvent, claim_id)]

    def state(self, claim_id: UUID) -> ClaimState:
        state = self.handler.load(self.decider, claim_id).state
        if state is None:
            raise NotFound("there is no such claim")
        return state

    def detect(self, command: cmd.DetectClaim, *, actor: Actor) -> ClaimResult:
        written = self.handler.handle(self.decider, uuid.uuid4(), command, actor=actor, new=True)
        return ClaimResult.of(written)

    def handle(
        self,
        claim_id: UUID,
        command: cmd.ClaimCommand,
        *,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ClaimResult:
        written = self.handler.handle(
            self.decider, claim_id, command, actor=actor, expected_version=expected_version
        )
        return ClaimResult.of(written)

    def _decide(
        self, state: ClaimState | None, command: cmd.ClaimCommand, context: Decision
    ) -> list[ClaimEvent]:
        return decide(
            state,
            command,
            actor=context.actor,
            now=context.now,
            clock=self.claim_clock(),
            claim_id=context.stream_id,
        )
