"""The audit's own events, in the same log (and so under the same hash chain): every reading of
a citizen's personal data, and every checkpoint the control centre signs and publishes."""

from __future__ import annotations

import uuid
from uuid import UUID

from domain.audit.chain import SignedCheckpoint
from domain.shared.envelope import Envelope

_NAMESPACE = uuid.UUID("6a0f3c2e-1d4b-4f7a-9e2c-8b5d7f1a3c90")
CHECKPOINTS_STREAM = uuid.uuid5(_NAMESPACE, "audit:checkpoints")


def access_stream(appeal_id: UUID) -> UUID:
    """The stream of personal-data readings of one appeal (not the appeal's own stream: a reading
    must never conflict with a command on the appeal)."""
    return uuid.uuid5(_NAMESPACE, f"personal-data:{appeal_id}")


class AuditEvent(Envelope, frozen=True, kw_only=True, gc=False):
    """Base of every audit event."""


class PersonalDataRead(AuditEvent, frozen=True, kw_only=True):
    """``actor`` was served the citizen's contact details of ``appeal_id`` through ``route``."""

    appeal_id: UUID
    route: str
    fields: tuple[str, ...]  # which parts were served: full_name, phone, email, postal_address


class CheckpointSigned(AuditEvent, frozen=True, kw_only=True):
    signed: SignedCheckpoint


AUDIT_EVENT_TYPES: tuple[type[AuditEvent], ...] = (PersonalDataRead, CheckpointSigned)
