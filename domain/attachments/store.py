"""The storage an attachment's bytes go to, as the domain needs it: a small protocol (a folder
under the data directory implements it in ``infra.attachments``; an S3-compatible bucket can),
and what every implementation shares while bytes stream in: the hash, the size limit and the
head the type is sniffed from.

An upload is staged (streamed into a private place, hashed as it goes), then committed under its
content's address, or discarded: nothing of a refused upload stays."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Protocol
from uuid import UUID

import msgspec

from domain.attachments.media import ALLOWED, SNIFF_BYTES, allowed_type
from domain.shared.errors import DomainError

SHA256 = re.compile(r"[0-9a-f]{64}")


class AttachmentRefused(DomainError):
    """A file that cannot be an attachment (its size or its type)."""


class AttachmentTooLarge(AttachmentRefused):
    code = "attachment-too-large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"an attachment may hold at most {limit} bytes")
        self.limit = limit


class AttachmentTypeRefused(AttachmentRefused):
    code = "unsupported-media-type"

    def __init__(self) -> None:
        super().__init__(
            "the file's bytes are not of a type attachments may have (told from the bytes,"
            " not the type claimed); allowed: " + ", ".join(sorted(ALLOWED))
        )


class Blob(msgspec.Struct, frozen=True, kw_only=True):
    """What the bytes are: their SHA-256 (the address), size and sniffed media type."""

    sha256: str
    size: int
    media_type: str


class Digest:
    """Hashes the bytes as they stream in, refuses them past ``limit``, keeps the head."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._hash = hashlib.sha256()
        self._head = bytearray()

    def update(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise AttachmentTooLarge(self.limit)
        self._hash.update(chunk)
        if len(self._head) < SNIFF_BYTES:
            self._head += chunk[: SNIFF_BYTES - len(self._head)]

    def blob(self) -> Blob:
        """The bytes' address, size and type; an empty file or a refused type is refused."""
        media_type = allowed_type(bytes(self._head))
        if media_type is None:
            raise AttachmentTypeRefused()
        return Blob(sha256=self._hash.hexdigest(), size=self.size, media_type=media_type)


class Staging(Protocol):
    """An upload on its way in: nothing of it is visible under an address until committed."""

    def write(self, chunk: bytes) -> None:
        """Append ``chunk`` (``AttachmentTooLarge`` past the store's limit)."""

    def finish(self) -> Blob:
        """All bytes are in: what they are (``AttachmentTypeRefused`` for a type not allowed)."""

    def discard(self) -> None:
        """Forget the upload (idempotent; after a commit, nothing to do)."""


class AttachmentStore(Protocol):
    """Where the bytes are kept, by the SHA-256 of their content."""

    @property
    def max_bytes(self) -> int: ...

    def stage(self) -> Staging: ...

    # ``owner``: the appeal the file belongs to (issue 18: kept encrypted with its data key,
    # and gone with its erasure); None: a file kept once for every appeal, in clear
    def commit(self, staging: Staging, owner: UUID | None = None) -> bool:
        """Put the finished upload under its address: True when the content is new to the
        store, False when it was there already (the staged copy is dropped)."""

    def remove(self, sha256: str, owner: UUID | None = None) -> None:
        """Undo a commit that added the content, when what it was for was refused after."""

    def exists(self, sha256: str) -> bool: ...

    def read(self, sha256: str, owner: UUID | None = None) -> Iterator[bytes]:
        """The content in chunks (``FileNotFoundError`` when the store has none)."""
