"""The command that adds a file to an appeal (issue 16): what the attachment store found the bytes
to be (their address, size and sniffed type) and what the file is to the appeal."""

from __future__ import annotations

from typing import Annotated

import msgspec

from domain.appeals.command_base import Command
from domain.attachments.media import AttachmentKind
from domain.shared.inputs import BIGINT_MAX

Sha256 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]
MediaType = Annotated[str, msgspec.Meta(min_length=3, max_length=200, pattern=r"^[a-z0-9.+/-]+$")]


class AddAttachment(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Record a stored file as the appeal's: the store has the bytes under ``sha256``."""

    action = "add-attachment"

    sha256: Sha256
    size: Annotated[int, msgspec.Meta(ge=1, le=BIGINT_MAX)]
    media_type: MediaType
    kind: AttachmentKind
