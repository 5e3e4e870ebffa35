"""Legal holds through the one command handler: placed, lifted, and asked about in bulk."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from uuid import UUID

from eventsourcing.application import Application

from domain.retention.holds import (
    HOLD_DECIDER,
    Hold,
    HoldCommand,
    LiftHold,
    PlaceHold,
    hold_stream,
)
from domain.shared.actors import Actor
from domain.shared.errors import NotFound
from domain.shared.handler import CommandHandler, Written


class LegalHolds:
    def __init__(
        self,
        store: Application[UUID],
        clock: Callable[[], datetime],
        appeal_exists: Callable[[UUID], bool],
    ) -> None:
        self.handler = CommandHandler(store, clock)
        self.appeal_exists = appeal_exists

    def hold(self, appeal_id: UUID) -> Hold | None:
        return self.loaded(appeal_id)[0]

    def loaded(self, appeal_id: UUID) -> tuple[Hold | None, int]:
        """The appeal's hold and its stream's version (None, 0: never placed)."""
        try:
            loaded = self.handler.load(HOLD_DECIDER, hold_stream(appeal_id))
        except NotFound:  # a stream of another kind under the id: never ours
            return None, 0
        return loaded.state, loaded.version

    def handle(
        self, command: HoldCommand, actor: Actor, expected_version: int | None = None
    ) -> Written[Hold]:
        if not self.appeal_exists(command.appeal_id):
            raise NotFound("there is no such appeal")
        return self.handler.handle(
            HOLD_DECIDER,
            hold_stream(command.appeal_id),
            command,
            actor=actor,
            expected_version=expected_version,
            must_exist=False,  # lifting a hold never placed is refused by the rule (409)
        )

    def place(self, appeal_id: UUID, ground: str, actor: Actor) -> Written[Hold]:
        return self.handle(PlaceHold(appeal_id=appeal_id, ground=ground), actor)

    def lift(self, appeal_id: UUID, ground: str, actor: Actor) -> Written[Hold]:
        return self.handle(LiftHold(appeal_id=appeal_id, ground=ground), actor)

    def held(self, appeal_ids: Collection[UUID]) -> set[UUID]:
        """The appeals among ``appeal_ids`` under a legal hold now."""
        found = set()
        for appeal_id in appeal_ids:
            state = self.hold(appeal_id)
            if state is not None and state.held:
                found.add(appeal_id)
        return found
