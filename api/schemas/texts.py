"""An appeal's free texts: the originals (personal data, 152-ФЗ: the audited route's body) and
the redacted copies analysts search."""

from __future__ import annotations

from uuid import UUID

import msgspec


class OriginalText(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    source_version: int  # the appeal's event that recorded it
    source_type: str
    field: str
    text: str  # as written: may carry names, addresses, phones, e-mails


class OriginalTexts(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    appeal_id: UUID
    texts: list[OriginalText]


class RedactedTextFound(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A redacted copy a search found: names, addresses, phones, e-mails masked."""

    appeal_id: UUID
    source_version: int
    source_type: str
    field: str
    text: str
