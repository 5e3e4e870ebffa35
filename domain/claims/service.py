"""Claims through the event store: load a claim's events, decide, append with the version check
(another command at the same time is a conflict, never a silent overwrite)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError

from domain.claims import commands as cmd
from domain.claims.decide import ClaimClock, decide
from domain.claims.events import ClaimEvent
from domain.claims.state import ClaimState, evolve, fold
from domain.shared.actors import Actor
from domain.shared.errors import ConcurrencyConflict, NotFound, VersionMismatch


class ClaimResult(msgspec.Struct, frozen=True, kw_only=True):
    state: ClaimState
    position: int  # the log position of the last event appended


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

    def events_of(self, claim_id: UUID) -> list[ClaimEvent]:
        found: list[Any] = list(self.store.events.get(claim_id))
        return [e for e in found if isinstance(e, ClaimEvent)]

    def state(self, claim_id: UUID) -> ClaimState:
        state = fold(self.events_of(claim_id))
        if state is None:
            raise NotFound("there is no such claim")
        return state

    def detect(self, command: cmd.DetectClaim, *, actor: Actor) -> ClaimResult:
        claim_id = uuid.uuid4()
        events = decide(
            None,
            command,
            actor=actor,
            now=self.clock(),
            clock=self.claim_clock(),
            claim_id=claim_id,
        )
        return self._save(None, events)

    def handle(
        self,
        claim_id: UUID,
        command: cmd.ClaimCommand,
        *,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ClaimResult:
        state = self.state(claim_id)
        if expected_version is not None and expected_version != state.version:
            raise VersionMismatch(expected_version, state.version)
        events = decide(state, command, actor=actor, now=self.clock(), clock=self.claim_clock())
        return self._save(state, events)

    def _save(self, state: ClaimState | None, events: list[ClaimEvent]) -> ClaimResult:
        try:
            recordings = self.store.save(*events)
        except IntegrityError:
            raise ConcurrencyConflict(
                "another command changed the claim at the same time; reload it and decide again"
            ) from None
        for event in events:
            state = evolve(state, event)
        assert state is not None
        return ClaimResult(state=state, position=recordings[-1].notification.id)
