"""`otklik audit verify --case`: a case file checked offline (manifest, event digests, chain
segments to their signed checkpoints, signatures)."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.audit.chain import digest, link
from infra.archive.format import (
    HISTORY,
    MANIFEST,
    PROOF,
    SIGNATURE,
    CaseEvent,
    History,
    Manifest,
    ManifestSignature,
    Proof,
    ProvedEvent,
    Segment,
    manifest_message,
)
from infra.audit.keys import signature_valid


class CaseUnreadable(ValueError):
    """Not a case file at all (not a ZIP, no manifest): nothing can be verified."""


@dataclass
class CaseVerification:
    source: str
    events: int = 0
    files: int = 0
    segments: int = 0
    signatures_valid: int = 0
    signatures_unchecked: int = 0  # no public key given for their key id
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _signed_manifest(
    archive: zipfile.ZipFile,
    listed: bytes,
    keys: dict[str, Ed25519PublicKey],
    result: CaseVerification,
) -> None:
    if SIGNATURE not in archive.namelist():
        result.signatures_unchecked += 1  # an export made without the key: nothing to check
        return
    try:
        sig = msgspec.json.decode(archive.read(SIGNATURE), type=ManifestSignature)
    except msgspec.DecodeError:
        result.problems.append(f"{SIGNATURE}: not a manifest signature")
        return
    public = keys.get(sig.key_id)
    if public is None:
        result.signatures_unchecked += 1
        return
    try:
        public.verify(bytes.fromhex(sig.signature), manifest_message(listed))
    except (InvalidSignature, ValueError):
        result.problems.append(f"{MANIFEST}: its signature does not verify with key {sig.key_id}")
        return
    result.signatures_valid += 1


def _files(archive: zipfile.ZipFile, manifest: Manifest, result: CaseVerification) -> None:
    present = set(archive.namelist()) - {MANIFEST, SIGNATURE}
    for path, expected in manifest.files.items():
        if path not in present:
            result.problems.append(f"{path}: listed in the manifest, missing from the file")
            continue
        if hashlib.sha256(archive.read(path)).hexdigest() != expected:
            result.problems.append(f"{path}: altered (its SHA-256 differs from the manifest's)")
        result.files += 1
    for path in sorted(present - manifest.files.keys()):
        result.problems.append(f"{path}: in the file but not in the manifest")


def _events(history: History, proof: Proof, result: CaseVerification) -> dict[int, CaseEvent]:
    """Each event's digest recomputed from its stored bytes, against history.json's and the
    proof's; an event in one and not the other; a gap in the appeal's versions."""
    proved = {p.position: p for p in proof.events}
    events = {e.position: e for e in history.events}
    for e in history.events:
        name = f"event at position {e.position} ({e.type}, stream {e.stream_id} v{e.version})"
        try:
            stored = base64.b64decode(e.stored_b64, validate=True)
        except ValueError:
            result.problems.append(f"{name}: its stored bytes are not base64")
            continue
        computed = digest(e.stream_id, e.version, e.topic, stored).hex()
        p = proved.get(e.position)
        if p is None:
            result.problems.append(f"{name}: not in the proof")
        elif (computed, e.stream_id, e.version, e.topic) != (
            p.digest,
            p.stream_id,
            p.version,
            p.topic,
        ):
            result.problems.append(
                f"{name}: its stored bytes do not give the digest the chain holds"
            )
        elif computed != e.digest:
            result.problems.append(
                f"{name}: history.json states another digest than its bytes give"
            )
    for position in sorted(proved.keys() - events.keys()):
        p = proved[position]
        result.problems.append(
            f"event at position {position} (stream {p.stream_id} v{p.version}): in the proof,"
            " missing from history.json"
        )
    versions = sorted(e.version for e in history.events if e.stream_id == history.appeal_id)
    if versions != list(range(1, len(versions) + 1)):
        result.problems.append(f"the appeal's versions are not 1..n without gaps: {versions}")
    result.events = len(history.events)
    return events


def _segment(
    index: int,
    segment: Segment,
    proved: dict[int, ProvedEvent],
    keys: dict[str, Ed25519PublicKey],
    result: CaseVerification,
) -> None:
    """The chain walked from the segment's start through every position to its checkpoint."""
    checkpoint = segment.checkpoint.checkpoint
    where = f"segment {index} (to the checkpoint at position {checkpoint.position})"
    valid = signature_valid(segment.checkpoint, keys)
    if valid is False:
        result.problems.append(f"{where}: the checkpoint's signature does not verify")
    elif valid:
        result.signatures_valid += 1
    else:
        result.signatures_unchecked += 1
    current, previous_position = bytes.fromhex(segment.start_link), -1
    for position, value in segment.entries:
        if position <= previous_position or position > checkpoint.position:
            result.problems.append(f"{where}: position {position} out of order")
            return
        before, current = current, link(current, position, bytes.fromhex(value))
        previous_position = position
        p = proved.pop(position, None)
        if p is None:
            continue
        if p.segment != index or p.digest != value:
            result.problems.append(
                f"{where}: position {position} holds another digest than the event's"
            )
        elif (p.previous_link, p.link) != (before.hex(), current.hex()):
            result.problems.append(
                f"{where}: the links stated for position {position} are not the chain's"
            )
    if (
        current.hex() != checkpoint.link
        or segment.start_events + len(segment.entries) != checkpoint.events
    ):
        result.problems.append(f"{where}: the chain does not reach the signed checkpoint's link")


def verify_case(path: Path, keys: dict[str, Ed25519PublicKey] | None = None) -> CaseVerification:
    """The case file at ``path`` checked on its own (CaseUnreadable: not a case file)."""
    keys = keys or {}
    result = CaseVerification(source=str(path))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise CaseUnreadable(f"{path} is not a ZIP file ({type(error).__name__})") from None
    with archive:
        try:
            listed = archive.read(MANIFEST)
            manifest = msgspec.json.decode(listed, type=Manifest)
        except (KeyError, msgspec.DecodeError):
            raise CaseUnreadable(f"{path} has no readable {MANIFEST}") from None
        _signed_manifest(archive, listed, keys, result)
        _files(archive, manifest, result)
        try:
            history = msgspec.json.decode(archive.read(HISTORY), type=History)
            proof = msgspec.json.decode(archive.read(PROOF), type=Proof)
        except (KeyError, msgspec.DecodeError) as error:
            result.problems.append(f"{HISTORY} or {PROOF} cannot be read: {type(error).__name__}")
            return result
    _events(history, proof, result)
    proved = {p.position: p for p in proof.events}
    for index, segment in enumerate(proof.segments):
        _segment(index, segment, proved, keys, result)
    result.segments = len(proof.segments)
    for position in sorted(proved):
        result.problems.append(
            f"event at position {position}: no segment carries it to a checkpoint"
        )
    return result
