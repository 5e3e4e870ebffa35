"""Recording, append-only, who read a citizen's personal data: one event per reading, written
before the data is served (if it cannot be recorded, it is not served)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError

from domain.audit.chain import SignedCheckpoint
from domain.audit.events import (
    CHECKPOINTS_STREAM,
    AuditEvent,
    CheckpointSigned,
    PersonalDataRead,
    access_stream,
)
from domain.shared.actors import Actor
from domain.shared.errors import ConcurrencyConflict


class AuditTrail:
    def __init__(self, store: Application[UUID], clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def personal_data_read(
        self, appeal_id: UUID, *, actor: Actor, route: str, fields: tuple[str, ...]
    ) -> int:
        """Record the reading; the event's log position."""
        return self._append(
            access_stream(appeal_id),
            lambda version, now: PersonalDataRead(
                originator_id=access_stream(appeal_id),
                originator_version=version,
                timestamp=now,
                occurred_at=now,
                actor=actor,
                appeal_id=appeal_id,
                route=route,
                fields=fields,
            ),
        )

    def checkpoint_signed(self, signed: SignedCheckpoint, *, actor: Actor) -> int:
        return self._append(
            CHECKPOINTS_STREAM,
            lambda version, now: CheckpointSigned(
                originator_id=CHECKPOINTS_STREAM,
                originator_version=version,
                timestamp=now,
                occurred_at=now,
                actor=actor,
                signed=signed,
            ),
        )

    def signed_checkpoints(self) -> list[SignedCheckpoint]:
        found: list[Any] = list(self.store.events.get(CHECKPOINTS_STREAM))
        return [e.signed for e in found if isinstance(e, CheckpointSigned)]

    def _append(self, stream: UUID, make: Callable[[int, datetime], AuditEvent]) -> int:
        for _attempt in range(5):  # two readings of one appeal at once: the later one retries
            last = self.store.recorder.select_events(stream, desc=True, limit=1)
            version = last[0].originator_version + 1 if last else 1
            try:
                recordings = self.store.save(make(version, self.clock()))
            except IntegrityError:
                continue
            return recordings[-1].notification.id
        raise ConcurrencyConflict("the audit trail is busy; try again")
