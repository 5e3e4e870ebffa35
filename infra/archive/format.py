"""The case file's machine-readable parts: history.json, proof.json, manifest.json (and its
signature), as msgspec structs both the exporter and the offline verifier use."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.audit.chain import SignedCheckpoint

HISTORY_FORMAT = "otklik-case-history/1"
PROOF_FORMAT = "otklik-case-proof/1"
MANIFEST_FORMAT = "otklik-case-manifest/1"
HISTORY, PROOF, MANIFEST, SIGNATURE, PDF = (
    "history.json",
    "proof.json",
    "manifest.json",
    "manifest.sig",
    "history.pdf",
)


class CaseEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One event of the case as stored (``stored_b64``: the bytes the chain's digest covers) and
    as read through the event codec (``data``: plaintext, or the placeholders an erasure left)."""

    position: int
    stream: str  # "appeal", "message" or "personal_data_reads"
    stream_id: UUID
    version: int
    type: str
    topic: str  # as stored (``Name`` or ``Name@N``): part of the digest
    actor_id: str
    actor_name: str
    role: str
    department: str | None
    occurred_at: datetime  # business time
    recorded_at: datetime
    digest: str  # hex SHA-256 of the stored event (domain.audit.chain.digest)
    stored_b64: str
    data: dict[str, Any]  # the decoded event without its envelope


class CaseAttachment(msgspec.Struct, frozen=True, kw_only=True):
    sha256: str
    size: int
    media_type: str
    kind: str
    version: int  # the appeal's version that recorded it
    file: str | None  # its path in the ZIP (None: the store could not give its bytes)
    note: str | None = None  # why it is absent


class CaseMessage(msgspec.Struct, frozen=True, kw_only=True):
    message_id: UUID
    purpose: str
    channel: str
    status: str
    subject: str
    files: tuple[str, ...]  # paths in the ZIP: the text, the letter (DOCX), files it carried


class History(msgspec.Struct, frozen=True, kw_only=True):
    format: str
    appeal_id: UUID
    registration_number: str | None
    exported_at: datetime
    log_position: int  # the log's last position in the snapshot the case was read in
    events: list[CaseEvent]
    attachments: list[CaseAttachment]
    messages: list[CaseMessage]


class ProvedEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A case event in the chain: link = SHA-256(previous_link ‖ position ‖ digest)."""

    position: int
    stream_id: UUID
    version: int
    topic: str
    digest: str
    previous_link: str
    link: str
    segment: int  # the index of the segment that carries it to a signed checkpoint


class Segment(msgspec.Struct, frozen=True, kw_only=True):
    """The chain from just before a case event to a signed checkpoint: the link and the count of
    events before ``entries``, then every log position up to the checkpoint with its digest
    (other appeals' events only by digest: no content), ending at the checkpoint's link."""

    start_link: str
    start_events: int
    entries: list[tuple[int, str]]  # (position, digest hex), in position order
    checkpoint: SignedCheckpoint


class Proof(msgspec.Struct, frozen=True, kw_only=True):
    format: str
    chain: str  # how to recompute it (the audit export's text)
    events: list[ProvedEvent]
    segments: list[Segment]


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    format: str
    appeal_id: UUID
    registration_number: str | None
    created_at: datetime
    files: dict[str, str]  # path in the ZIP → SHA-256 hex of its bytes


class ManifestSignature(msgspec.Struct, frozen=True, kw_only=True):
    """Ed25519 by the control centre's key over ``manifest_message`` (binds the PDF, texts and
    files, which the chain does not cover once their content is sealed)."""

    key_id: str
    signature: str  # hex
    signed_at: datetime


def manifest_message(manifest_bytes: bytes) -> bytes:
    return f"{MANIFEST_FORMAT}\n{hashlib.sha256(manifest_bytes).hexdigest()}\n".encode()
