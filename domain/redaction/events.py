"""The redacted copy's events: one per free-text field of an appeal's event, in a stream per appeal."""

from __future__ import annotations

import uuid
from uuid import UUID

from domain.shared.envelope import Envelope

_NAMESPACE = uuid.UUID("3b8e5d2a-7c41-4f09-b6a3-5e1d9c0f2a77")


def redaction_stream(appeal_id: UUID) -> UUID:
    """The stream of one appeal's redacted copies (not the appeal's own: recording a copy must
    never conflict with a command on the appeal)."""
    return uuid.uuid5(_NAMESPACE, f"redaction:{appeal_id}")


class RedactionEvent(Envelope, frozen=True, kw_only=True, gc=False):
    """Base of the redaction stream's events."""

    appeal_id: UUID


class TextRedacted(RedactionEvent, frozen=True, kw_only=True, gc=False):
    """The text of ``field`` of the appeal's event ``source_version`` (a ``source_type``), with
    names, addresses, phones and e-mails masked by the masker ``masker`` (its version); the tags
    it put in are counted in ``masked`` (label -> how many). Meant to hold no personal data,
    it is sealed all the same with the appeal's key and erased with it (issue 18: a name the
    masker missed must not outlive the erasure of the original)."""

    source_version: int
    source_type: str
    field: str
    text: str
    masker: str
    masked: dict[str, int]


REDACTION_EVENT_TYPES: tuple[type[RedactionEvent], ...] = (TextRedacted,)
