"""Recording, append-only, who read a citizen's personal data: one event per reading, written
before the data is served (if it cannot be recorded, it is not served)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from eventsourcing.application import Application

from domain.audit.chain import SignedCheckpoint
from domain.audit.events import (
    CHECKPOINTS_STREAM,
    AuditEvent,
    CheckpointSigned,
    PersonalDataRead,
    access_stream,
)
from domain.shared.actors import Actor
from domain.shared.handler import CommandHandler, Decider, Decision, retry_on_conflict


def _decider(make: Callable[[Decision], AuditEvent]) -> Decider[int, None, AuditEvent]:
    """An audit stream: append-only, its state is its version."""
    return Decider(
        name="audit trail",
        events=AuditEvent,
        evolve=lambda _version, event: event.originator_version,
        decide=lambda _version, _command, c: [make(c)],
    )


class AuditTrail:
    def __init__(self, store: Application[UUID], clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        self.handler = CommandHandler(store, clock)

    def personal_data_read(
        self, appeal_id: UUID, *, actor: Actor, route: str, fields: tuple[str, ...]
    ) -> int:
        """Record the reading; the event's log position."""
        return self._append(
            access_stream(appeal_id),
            actor,
            lambda c: PersonalDataRead(
                originator_id=c.stream_id,
                originator_version=c.version + 1,
                timestamp=c.now,
                occurred_at=c.now,
                actor=c.actor,
                appeal_id=appeal_id,
                route=route,
                fields=fields,
            ),
        )

    def checkpoint_signed(self, signed: SignedCheckpoint, *, actor: Actor) -> int:
        return self._append(
            CHECKPOINTS_STREAM,
            actor,
            lambda c: CheckpointSigned(
                originator_id=c.stream_id,
                originator_version=c.version + 1,
                timestamp=c.now,
                occurred_at=c.now,
                actor=c.actor,
                signed=signed,
            ),
        )

    def signed_checkpoints(self) -> list[SignedCheckpoint]:
        found = self.handler.read(AuditEvent, CHECKPOINTS_STREAM)
        return [r.event.signed for r in found if isinstance(r.event, CheckpointSigned)]

    def _append(self, stream: UUID, actor: Actor, make: Callable[[Decision], AuditEvent]) -> int:
        decider = _decider(make)
        # two readings of one appeal at once: the later one decides again
        return retry_on_conflict(
            lambda: (
                self.handler.handle(decider, stream, None, actor=actor, must_exist=False).position
            ),
            attempts=5,
        )
