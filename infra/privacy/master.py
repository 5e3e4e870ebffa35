"""The master key that wraps every data key: from settings (a file or base64 in the environment),
else generated once into the data dir; its version is a fingerprint, so a rotation can tell which
key wraps what."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12


@dataclass(frozen=True)
class MasterKey:
    """A 32-byte AES key and its version (the first 8 hex digits of a keyed digest of it);
    both derived once (a key store's preload unwraps every data key with them)."""

    key: bytes
    version: str = field(init=False, repr=False, compare=False)
    _aead: AESGCM = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        digest = hmac.new(self.key, b"otklik master key version", hashlib.sha256).hexdigest()
        object.__setattr__(self, "version", digest[:8])
        object.__setattr__(self, "_aead", AESGCM(self.key))

    def wrap(self, plain: bytes, aad: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plain, aad)

    def unwrap(self, wrapped: bytes, aad: bytes) -> bytes:
        return self._aead.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)


def parse_key(text: str, source: str) -> MasterKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{source}: expected base64") from None
    if len(raw) != KEY_BYTES:
        raise ValueError(f"{source}: expected 32 bytes (base64 of 32 random bytes)")
    return MasterKey(raw)


def read_key_file(path: Path, source: str) -> MasterKey:
    try:
        return parse_key(path.read_text(encoding="ascii"), source)
    except OSError:
        raise ValueError(f"{source}: the file cannot be read") from None


def generate_key_file(path: Path) -> MasterKey:
    """A new random master key written to ``path`` (readable by the owner only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(text + "\n")
    return parse_key(text, str(path))


def master_key(key_text: str | None, key_file: Path | None, data_dir: Path) -> MasterKey:
    """The configured master key; with none configured, ``<data dir>/master.key`` (made on the
    first run, like the embedded server's data: a development default, never a deployment's)."""
    if key_text:
        return parse_key(key_text, "OTKLIK_MASTER_KEY")
    if key_file is not None:
        return read_key_file(key_file, "OTKLIK_MASTER_KEY_FILE")
    default = data_dir / "master.key"
    if default.exists():
        return read_key_file(default, str(default))
    try:
        return generate_key_file(default)
    except FileExistsError:  # another process made it first
        return read_key_file(default, str(default))
