"""An appeal's files as the API shows them: what each is, who added it and when (never the name
it came with; the bytes are a route of their own)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from domain.attachments.media import AttachmentKind
from domain.shared.actors import Role


class Attachment(msgspec.Struct, frozen=True, kw_only=True):
    """One file of the appeal: its SHA-256 (its address: GET …/attachments/{sha256} serves it),
    size in bytes, media type told from its bytes, what it is, who added it and when."""

    sha256: str
    size: int
    media_type: str
    kind: AttachmentKind
    added_by: str
    added_by_role: Role
    added_at: datetime
    recorded_at: datetime
    version: int  # the appeal's version that recorded it


class AttachmentList(msgspec.Struct, frozen=True, kw_only=True):
    appeal_id: UUID
    items: list[Attachment]
