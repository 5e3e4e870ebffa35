"""The outgoing message's events: queued (rendered, addressed), each attempt started, sent,
delivered, failed, given up (a dead letter), retried by an operator, printed and posted, and a
send repeated after an attempt whose outcome was never recorded (a crash)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from uuid import UUID

import msgspec

from domain.shared.envelope import Envelope

_NAMESPACE = uuid.UUID("0c3f7e2a-5b1d-4c8e-9a6f-2d7b81e4c093")


class Purpose(StrEnum):
    """Why a message goes out: the act it tells of."""

    ANSWER = "answer"  # the answer on the merits (59-ФЗ ст.10 ч.1 п.4)
    INTERIM_ANSWER = "interim_answer"
    FORWARDING_NOTICE = "forwarding_notice"  # ст.8 ч.3: the appeal went to another body
    COPIES_NOTICE = "copies_notice"  # ст.8 ч.4: copies went to other bodies
    EXTENSION_NOTICE = "extension_notice"  # ст.12 ч.2: the term was extended
    ARTICLE11_NOTICE = "article11_notice"  # ст.11: a decision not to answer on the merits
    COMPLAINT_RETURNED = "complaint_returned"  # ст.8 ч.7: the complaint returned
    REGISTRATION_CONFIRMATION = "registration_confirmation"
    ESCALATION = "escalation"  # to the person responsible
    DAILY_BRIEF = "daily_brief"  # the morning brief to a deputy head or the МЦУ's head (002 §3.2.4)


class OutboundChannel(StrEnum):
    """How a message goes out."""

    EMAIL = "email"  # SMTP
    TELEGRAM = "telegram"  # Bot API sendMessage to the chat the item came from
    VK = "vk"  # messages.send to the peer the item came from
    LETTER = "letter"  # a printable letter: an operator prints, posts and confirms
    NONE = "none"  # no address known: queued and visible, never sent


def message_stream(appeal_id: UUID | None, version: int, purpose: Purpose, extra: str = "") -> UUID:
    """The message's id: the same triggering act (the appeal and its event's version) and purpose
    always name the same message, so a reactor handed a batch again finds it queued."""
    return uuid.uuid5(_NAMESPACE, f"{appeal_id}:{version}:{purpose.value}:{extra}")


class OutgoingFile(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A file that goes with the message (the brief's XLSX), carried in the event itself: a
    report of registration numbers and counts, never a citizen's data or upload."""

    name: str
    media_type: str
    content: bytes


class MessageEvent(Envelope, frozen=True, kw_only=True, gc=False):
    """Base of the message stream's events (the store tells the stream's kind by it)."""

    message_id: UUID


class MessageQueued(MessageEvent, frozen=True, kw_only=True, gc=False):
    """The message as it will go out: rendered from its template, addressed. ``recipient`` is
    personal data (an e-mail, a chat id, a postal address): only here and in the rows of those
    who may read the appeal. ``trigger_type``/``trigger_version``: the act that called for it."""

    purpose: Purpose
    channel: OutboundChannel
    recipient: str | None
    reply_to: str | None  # the messenger's message the reply answers
    subject: str
    body: str
    appeal_id: UUID | None
    trigger_type: str
    trigger_version: int
    template: str
    article: str | None  # the norm the message rests on ("ст.12 ч.2 59-ФЗ")
    attachments: tuple[str, ...] = ()  # the attachments' SHA-256
    files: tuple[OutgoingFile, ...] = ()  # issue 17: files made for the message (the brief)


class MessageAttemptStarted(MessageEvent, frozen=True, kw_only=True, gc=False):
    """The marker recorded before a send: if no outcome follows (a crash), the next attempt knows
    the message may already have reached the recipient."""

    attempt: int
    worker: str  # which worker process (host and pid), for the operators


class DuplicateSendDetected(MessageEvent, frozen=True, kw_only=True, gc=False):
    """The message is sent again after an attempt whose outcome was never recorded (the worker
    died between sending and recording): the recipient may hold it twice, under the same id
    (SMTP Message-ID; VK drops the repeat by its random_id)."""

    attempt: int
    interrupted_attempt: int


class MessageSent(MessageEvent, frozen=True, kw_only=True, gc=False):
    """The channel accepted the message: ``reference`` is its id there (the SMTP Message-ID, the
    Telegram message_id, the VK message id)."""

    attempt: int
    reference: str | None


class MessageDelivered(MessageEvent, frozen=True, kw_only=True, gc=False):
    """The channel confirmed the delivery (a messenger's ok: it is in the chat; SMTP: the relay
    accepted it for every recipient, the furthest SMTP confirms without delivery reports)."""

    attempt: int
    reference: str | None


class MessageFailed(MessageEvent, frozen=True, kw_only=True, gc=False):
    """An attempt failed: ``reason`` names the kind of failure, never the server's text (which
    may echo the address); ``retry_at`` is when the next attempt is due (None: none will be)."""

    attempt: int
    reason: str
    permanent: bool
    retry_at: datetime | None


class MessageGaveUp(MessageEvent, frozen=True, kw_only=True, gc=False):
    """No more attempts: a dead letter, until an operator retries it."""

    attempts: int
    reason: str


class MessageRetried(MessageEvent, frozen=True, kw_only=True, gc=False):
    """An operator sends a dead letter again (its attempts count afresh)."""

    comment: str | None = None


class MessagePrinted(MessageEvent, frozen=True, kw_only=True, gc=False):
    """An operator confirms the printed letter was posted (who and when: the envelope)."""

    comment: str | None = None


MESSAGE_EVENT_TYPES: tuple[type[MessageEvent], ...] = (
    MessageQueued,
    MessageAttemptStarted,
    DuplicateSendDetected,
    MessageSent,
    MessageDelivered,
    MessageFailed,
    MessageGaveUp,
    MessageRetried,
    MessagePrinted,
)
