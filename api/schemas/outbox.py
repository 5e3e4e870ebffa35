"""The outbox's request and response bodies: a message as the operators see it (its address,
subject and text only for the roles that may read citizens' personal data), and an operator's
retry or confirmation with an optional comment."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from domain.shared.inputs import Input, line


class OutboxMessage(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    appeal_id: UUID | None
    purpose: str
    channel: str
    status: str  # queued, sending, failed, dead, delivered, awaiting_print, printed, no_address
    article: str | None
    trigger: str  # the act that called for the message
    queued_at: datetime
    attempts: int
    retry_at: datetime | None
    last_reason: str | None  # the kind of failure (never the server's text)
    reference: str | None  # the channel's id of it (SMTP Message-ID, Telegram message_id)
    duplicates: int  # sends repeated after a crash
    delivered_at: datetime | None
    gave_up_at: datetime | None
    printed_at: datetime | None
    # personal data: only for the roles that may read it (operators, curators, the head)
    recipient: str | None = None
    subject: str | None = None
    body: str | None = None


class OperatorNote(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    comment: Annotated[str, line(500)] | None = None
