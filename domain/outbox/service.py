"""Outgoing messages through the one command handler, and the answer's delivery recorded on the
appeal when its message is delivered (idempotently, by the message's id)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

import structlog
from eventsourcing.application import Application

from domain.appeals import commands as cmd
from domain.appeals.application import AppealsApplication
from domain.outbox.commands import (
    ConfirmPrinted,
    MessageCommand,
    QueueMessage,
    RecordFailure,
    RecordSent,
    RetryMessage,
    StartAttempt,
)
from domain.outbox.decide import MESSAGE_DECIDER
from domain.outbox.events import Purpose
from domain.outbox.state import Message
from domain.shared.actors import Actor, Role
from domain.shared.errors import ConcurrencyConflict, NotFound, RuleViolated
from domain.shared.handler import CommandHandler, IdempotencyClaim, Written

log = structlog.get_logger("otklik.outbox")
OUTBOX = Actor(id="outbox", role=Role.SYSTEM, name="Исходящие сообщения")


class OutboxService:
    def __init__(
        self,
        store: Application[UUID],
        clock: Callable[[], datetime],
        appeals: AppealsApplication | None = None,
    ) -> None:
        self.handler = CommandHandler(store, clock)
        self.appeals = appeals  # where an answer's delivery is recorded (None: not recorded)

    def message(self, message_id: UUID) -> Message | None:
        try:
            return self.handler.load(MESSAGE_DECIDER, message_id).state
        except NotFound:  # a stream of another kind under that id
            return None

    def _handle(
        self,
        message_id: UUID,
        command: MessageCommand,
        actor: Actor = OUTBOX,
        expected_version: int | None = None,
    ) -> Written[Message]:
        return self.handler.handle(
            MESSAGE_DECIDER,
            message_id,
            command,
            actor=actor,
            expected_version=expected_version,
            must_exist=not isinstance(command, QueueMessage),
        )

    def queue(self, message_id: UUID, command: QueueMessage) -> bool:
        """Queue the message once: False when it already was (a batch handed over again, or two
        builds of the reactor racing)."""
        if self.message(message_id) is not None:
            return False
        try:
            written = self._handle(message_id, command)
        except ConcurrencyConflict:
            return False  # queued by the other one meanwhile
        return written.version == 1

    def start(self, message_id: UUID, command: StartAttempt) -> Message:
        """Record the attempt's marker before sending; raises RuleViolated when no attempt is
        due (NotDue; AttemptRunning: another worker's attempt is running) and
        ConcurrencyConflict when another worker started one at the same time."""
        return self._handle(message_id, command).state

    def sent(self, message_id: UUID, attempt: int, reference: str | None) -> Message:
        return self._handle(message_id, RecordSent(attempt=attempt, reference=reference)).state

    def failed(self, message_id: UUID, command: RecordFailure) -> Message:
        return self._handle(message_id, command).state

    def retry(
        self,
        message_id: UUID,
        *,
        actor: Actor,
        comment: str | None = None,
        expected_version: int | None = None,
    ) -> Written[Message]:
        return self._handle(message_id, RetryMessage(comment=comment), actor, expected_version)

    def printed(
        self,
        message_id: UUID,
        *,
        actor: Actor,
        comment: str | None = None,
        expected_version: int | None = None,
    ) -> Written[Message]:
        written = self._handle(message_id, ConfirmPrinted(comment=comment), actor, expected_version)
        self.answer_delivered(written.state, f"printed:{message_id}")
        return written

    def answer_delivered(self, message: Message, reference: str | None) -> bool:
        """Record ``AnswerDelivered`` on the appeal when ``message`` is its answer, through the
        appeals' handler with the message's id as the idempotency key: a repeat (after a crash)
        appends nothing. False when nothing was recorded (not an answer, or the appeal no longer
        awaits its delivery: reopened, delivered by hand)."""
        if self.appeals is None or message.purpose is not Purpose.ANSWER:
            return False
        if message.appeal_id is None:
            return False
        key = IdempotencyClaim(
            principal="outbox",
            key=f"deliver-answer:{message.message_id}",
            fingerprint=f"deliver-answer {message.message_id}",
        )
        command = cmd.ConfirmAnswerDelivery(delivery_reference=(reference or "")[:500] or None)
        try:
            self.appeals.handle(message.appeal_id, command, actor=OUTBOX, idempotency=key)
        except (RuleViolated, NotFound) as error:
            log.warning(
                "outbox.answer_delivery_not_recorded",
                message_id=str(message.message_id),
                error=type(error).__name__,
            )
            return False
        return True
