"""The hash chain over the event log, defined on the stored bytes so that anyone can recompute it
with any language's SHA-256, without this code:

    digest(event) = SHA-256( originator_id (16 bytes, RFC 4122 order)
                           ‖ originator_version (8 bytes, big-endian, signed)
                           ‖ length of topic (4 bytes, big-endian) ‖ topic (UTF-8)
                           ‖ state (the stored bytes, as they are) )
    link(0)       = 32 zero bytes
    link(n)       = SHA-256( link(n-1) ‖ position (8 bytes, big-endian) ‖ digest(event n) )

where events are taken in notification order (``position`` is the notification id; the ids may
skip, and the chain covers exactly the ids that exist). A checkpoint is (position, events counted,
link); published and signed, it pins everything up to that position.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from uuid import UUID

import msgspec

GENESIS = bytes(32)
CHECKPOINT_FORMAT = "otklik-checkpoint/1"
_sha256 = hashlib.sha256


def digest(originator_id: UUID, version: int, topic: str, state: bytes) -> bytes:
    return digest_of(originator_id.bytes, version, topic.encode(), state)


def digest_of(originator: bytes, version: int, topic: bytes, state: bytes) -> bytes:
    """``digest`` on the raw columns (the aggregate id's 16 bytes, the topic's UTF-8)."""
    return _sha256(
        b"".join((originator, version.to_bytes(8, "big", signed=True), _len(topic), topic, state))
    ).digest()


def _len(topic: bytes) -> bytes:
    return len(topic).to_bytes(4, "big")


def link(previous: bytes, position: int, event_digest: bytes) -> bytes:
    return _sha256(previous + position.to_bytes(8, "big") + event_digest).digest()


class Checkpoint(msgspec.Struct, frozen=True, kw_only=True):
    """The chain's link after ``events`` events, the last at ``position``."""

    position: int
    events: int
    link: str  # hex
    at: datetime | None = None  # when the ledger reached it

    def message(self) -> bytes:
        """The bytes a control centre signs to publish this checkpoint."""
        return f"{CHECKPOINT_FORMAT}\n{self.position}\n{self.events}\n{self.link}\n".encode()


class SignedCheckpoint(msgspec.Struct, frozen=True, kw_only=True):
    """A checkpoint as published: signed with the control centre's Ed25519 key."""

    checkpoint: Checkpoint
    key_id: str  # the first 16 hex digits of SHA-256 of the raw public key
    signature: str  # hex, Ed25519 over ``checkpoint.message()``
    signed_at: datetime
