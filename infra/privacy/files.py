"""Attachments encrypted at rest with their appeal's data key: a header naming the key, then the
file in chunks, each sealed with AES-GCM (AAD: appeal, content hash, chunk number, last or not),
so chunks cannot be reordered, dropped or moved to another file."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import BinaryIO
from uuid import UUID

from cryptography.exceptions import InvalidTag

from infra.privacy.keyring import Erased, Keyring
from infra.privacy.master import NONCE_BYTES

MAGIC = b"OTKLIK-SEALED-1\n"
CHUNK = 256 * 1024
SEALED_CHUNK = NONCE_BYTES + CHUNK + 16


def _aad(owner: UUID, sha256: str, index: int, last: bool) -> bytes:
    return owner.bytes + sha256.encode() + index.to_bytes(8, "big") + (b"L" if last else b"M")


class FileSealer:
    """Seals and opens an appeal's files through the keyring."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def seal_file(self, plain: BinaryIO, out: BinaryIO, owner: UUID, sha256: str) -> None:
        key = self.keyring.key_for_appeal(owner)
        key_id = key.key_id.encode()
        out.write(MAGIC + len(key_id).to_bytes(2, "big") + key_id)
        chunk, index = plain.read(CHUNK), 0
        while True:
            following = plain.read(CHUNK)
            last = not following
            nonce = secrets.token_bytes(NONCE_BYTES)
            out.write(nonce + key.aead.encrypt(nonce, chunk, _aad(owner, sha256, index, last)))
            if last:
                return
            chunk, index = following, index + 1

    def open_file(self, sealed: BinaryIO, owner: UUID, sha256: str) -> Iterator[bytes]:
        """The plain chunks; ``FileNotFoundError`` when the key is erased or the file is not
        this appeal's (raised before the first chunk, as a missing file's would be)."""
        with sealed:
            if sealed.read(len(MAGIC)) != MAGIC:
                raise FileNotFoundError("not a sealed attachment")
            size = int.from_bytes(sealed.read(2), "big")
            key_id = sealed.read(size).decode()
            aead = self.keyring.aead(key_id)
            if isinstance(aead, Erased):
                raise FileNotFoundError("the attachment's key is erased")
            body = sealed.read()  # at most the attachment limit (25 MB by default)
        chunks = [body[i : i + SEALED_CHUNK] for i in range(0, len(body), SEALED_CHUNK)] or [b""]
        plain = []
        try:
            for index, part in enumerate(chunks):
                last = index == len(chunks) - 1
                aad = _aad(owner, sha256, index, last)
                plain.append(aead.decrypt(part[:NONCE_BYTES], part[NONCE_BYTES:], aad))
        except InvalidTag:
            raise FileNotFoundError("the attachment does not open with its key") from None
        return iter(plain)
