"""The outgoing message as its events have made it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

import msgspec

from domain.outbox import events as ev
from domain.outbox.events import OutboundChannel, OutgoingFile, Purpose


class MessageStatus(StrEnum):
    QUEUED = "queued"  # waiting for its first attempt (or a retry an operator asked for)
    SENDING = "sending"  # an attempt started, its outcome not yet recorded
    FAILED = "failed"  # the last attempt failed; another is due at ``retry_at``
    DEAD = "dead"  # given up: a dead letter, until an operator retries it
    DELIVERED = "delivered"  # the channel accepted and confirmed it
    AWAITING_PRINT = "awaiting_print"  # a letter for an operator to print and post
    PRINTED = "printed"  # posted, as an operator confirmed
    NO_ADDRESS = "no_address"  # nowhere to send it: visible, never sent


FINAL = frozenset({MessageStatus.DELIVERED, MessageStatus.PRINTED})


class Message(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    message_id: UUID
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
    status: MessageStatus
    queued_at: datetime
    attempts: int = 0  # attempts started, ever
    budget_from: int = 0  # the attempts before the last operator's retry (not counted again)
    in_flight: int | None = None  # the attempt started whose outcome is not recorded
    started_at: datetime | None = None
    retry_at: datetime | None = None
    last_reason: str | None = None
    reference: str | None = None
    duplicates: int = 0
    resent_attempt: int | None = None  # the last attempt that repeated an interrupted one
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    gave_up_at: datetime | None = None
    printed_at: datetime | None = None
    files: tuple[OutgoingFile, ...] = ()  # attached to the e-mail

    @property
    def counted_attempts(self) -> int:
        """The attempts that count towards giving up (those since the last retry)."""
        return self.attempts - self.budget_from


def _queued(e: ev.MessageQueued) -> Message:
    status = {
        OutboundChannel.LETTER: MessageStatus.AWAITING_PRINT,
        OutboundChannel.NONE: MessageStatus.NO_ADDRESS,
    }.get(e.channel, MessageStatus.QUEUED)
    if e.recipient is None and e.channel is not OutboundChannel.NONE:
        status = MessageStatus.NO_ADDRESS
    return Message(
        message_id=e.message_id,
        purpose=e.purpose,
        channel=e.channel,
        recipient=e.recipient,
        reply_to=e.reply_to,
        subject=e.subject,
        body=e.body,
        appeal_id=e.appeal_id,
        trigger_type=e.trigger_type,
        trigger_version=e.trigger_version,
        template=e.template,
        article=e.article,
        files=e.files,
        status=status,
        queued_at=e.occurred_at,
    )


def _next(s: Message, e: ev.MessageEvent) -> Message:
    r = msgspec.structs.replace
    match e:
        case ev.MessageAttemptStarted():
            return r(
                s,
                status=MessageStatus.SENDING,
                attempts=e.attempt,
                in_flight=e.attempt,
                started_at=e.occurred_at,
            )
        case ev.DuplicateSendDetected():
            return r(s, duplicates=s.duplicates + 1, resent_attempt=e.attempt)
        case ev.MessageSent():
            return r(s, in_flight=None, reference=e.reference, sent_at=e.occurred_at)
        case ev.MessageDelivered():
            return r(s, status=MessageStatus.DELIVERED, delivered_at=e.occurred_at)
        case ev.MessageFailed():
            return r(
                s,
                status=MessageStatus.FAILED,
                in_flight=None,
                retry_at=e.retry_at,
                last_reason=e.reason,
            )
        case ev.MessageGaveUp():
            return r(s, status=MessageStatus.DEAD, retry_at=None, gave_up_at=e.occurred_at)
        case ev.MessageRetried():
            return r(s, status=MessageStatus.QUEUED, budget_from=s.attempts, retry_at=None)
        case ev.MessagePrinted():
            return r(s, status=MessageStatus.PRINTED, printed_at=e.occurred_at)
    return s


def evolve(state: Message | None, event: ev.MessageEvent) -> Message:
    if isinstance(event, ev.MessageQueued):
        return _queued(event)
    assert state is not None, "a message's first event is MessageQueued"
    return _next(state, event)
