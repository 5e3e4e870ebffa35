"""What may be asked of an outgoing message: queue it (the outbox reactor), start an attempt and
record its outcome (the delivery worker), retry a dead letter and confirm a posted letter
(operators)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from domain.outbox.events import OutboundChannel, OutgoingFile, Purpose
from domain.shared.inputs import Input, line


class QueueMessage(msgspec.Struct, frozen=True, kw_only=True):
    purpose: Purpose
    channel: OutboundChannel
    recipient: str | None
    reply_to: str | None
    subject: str
    body: str
    appeal_id: UUID | None
    trigger_type: str
    trigger_version: int
    template: str
    article: str | None
    attachments: tuple[str, ...] = ()
    files: tuple[OutgoingFile, ...] = ()


class StartAttempt(msgspec.Struct, frozen=True, kw_only=True):
    """``lease_seconds``: how long an attempt without an outcome is taken to be another worker's
    send still running; after it, the worker that started it is taken to have died.
    ``channels``: those the worker can send by (a message on another one is not due for it)."""

    worker: str
    lease_seconds: float
    channels: frozenset[OutboundChannel]


class RecordSent(msgspec.Struct, frozen=True, kw_only=True):
    attempt: int
    reference: str | None
    delivered: bool = True  # the channel's acceptance confirms the delivery


class RecordFailure(msgspec.Struct, frozen=True, kw_only=True):
    attempt: int
    reason: str
    permanent: bool
    retry_at: datetime | None
    max_attempts: int


class RetryMessage(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    comment: Annotated[str, line(500)] | None = None


class ConfirmPrinted(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    comment: Annotated[str, line(500)] | None = None


MessageCommand = (
    QueueMessage | StartAttempt | RecordSent | RecordFailure | RetryMessage | ConfirmPrinted
)
SYSTEM_COMMANDS = (QueueMessage, StartAttempt, RecordSent, RecordFailure)
