"""The redacted copies recorded and read through the one command handler."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import Application

from domain.redaction.decide import REDACTION_DECIDER, AlreadyCopied, RecordRedactions
from domain.redaction.events import RedactionEvent, TextRedacted, redaction_stream
from domain.shared.actors import Actor, Role
from domain.shared.errors import ConcurrencyConflict
from domain.shared.handler import CommandHandler, IdempotencyClaim
from domain.shared.time import Clock

REDACTION = Actor(id="redaction", role=Role.SYSTEM, name="Обезличивание текстов")


class RedactionService:
    def __init__(self, store: Application[UUID], clock: Clock) -> None:
        self.handler = CommandHandler(store, clock)

    def copies(self, appeal_id: UUID) -> list[TextRedacted]:
        """The appeal's redacted copies, in the order they were recorded."""
        recorded = self.handler.read(RedactionEvent, redaction_stream(appeal_id))
        return [r.event for r in recorded if isinstance(r.event, TextRedacted)]

    def recorded(self, appeal_id: UUID) -> frozenset[tuple[int, str]]:
        """Which (source version, field) of the appeal have their copy."""
        return frozenset((c.source_version, c.field) for c in self.copies(appeal_id))

    def record(self, command: RecordRedactions, *, key: str) -> bool:
        """Record the copies not yet recorded; False when there were none. ``key`` derives from
        the triggering event's position: a batch handed over again finds its record (or the
        decider finds the copies) and appends nothing."""
        stream = redaction_stream(command.appeal_id)
        claim = IdempotencyClaim(
            principal=REDACTION.id,
            key=key,
            fingerprint=f"redact {command.appeal_id} {command.source_version}",
        )
        for _ in range(3):
            try:
                written = self.handler.handle(
                    REDACTION_DECIDER,
                    stream,
                    command,
                    actor=REDACTION,
                    idempotency=claim,
                    must_exist=False,
                )
            except AlreadyCopied:
                return False
            except ConcurrencyConflict:
                continue  # another build of the reactor recorded some meanwhile: decide again
            return not written.replayed
        return False
