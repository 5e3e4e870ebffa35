"""One case file as a ZIP: history (JSON, PDF), attachments, answer and notices, proof.json, and
manifest.json with every file's SHA-256 (signed when the key is given)."""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.attachments.media import ALLOWED
from domain.outbox.events import OutboundChannel, Purpose
from domain.outbox.state import Message
from infra.archive.collect import Case
from infra.archive.format import (
    HISTORY,
    HISTORY_FORMAT,
    MANIFEST,
    MANIFEST_FORMAT,
    PDF,
    PROOF,
    SIGNATURE,
    CaseAttachment,
    CaseMessage,
    History,
    Manifest,
    ManifestSignature,
    Proof,
    manifest_message,
)
from infra.audit.keys import key_id

ReadAttachment = Callable[[str, UUID], Iterator[bytes]]  # (sha256, the appeal it belongs to)
Letter = Callable[[Message], bytes]  # a printable letter (DOCX) of a message that goes by post
_ENCODER = msgspec.json.Encoder(order="deterministic")


def _json(value: object) -> bytes:
    return msgspec.json.format(_ENCODER.encode(value), indent=1)


@dataclass
class Parts:
    """The files of one case file, path → bytes, in the order written."""

    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, path: str, content: bytes) -> str:
        self.files[path] = content
        return path


def _attachments(case: Case, read: ReadAttachment, parts: Parts) -> list[CaseAttachment]:
    out = []
    for _position, event in case.appeal_events:
        if type(event).__name__ != "AttachmentAdded":
            continue
        sha256, media_type = getattr(event, "sha256", ""), getattr(event, "media_type", "")
        path: str | None = f"attachments/{sha256}.{ALLOWED.get(media_type, 'bin')}"
        note = None
        try:
            content = b"".join(read(sha256, case.appeal_id))
        except FileNotFoundError:  # erased with the appeal's personal data, or lost
            path, note = (
                None,
                "файла нет в хранилище (удалён вместе с персональными данными или утрачен)",
            )
        except Exception as error:  # unreadable (a key gone, a damaged copy): absent, never fatal
            path, note = None, f"файл не удалось прочитать ({type(error).__name__})"
        else:
            if hashlib.sha256(content).hexdigest() != sha256:
                path, note = None, "содержимое в хранилище не совпадает с адресом"
            else:
                parts.add(str(path), content)
        out.append(
            CaseAttachment(
                sha256=sha256,
                size=int(getattr(event, "size", 0)),
                media_type=media_type,
                kind=str(getattr(event, "kind", "")),
                version=event.originator_version,
                file=path,
                note=note,
            )
        )
    return out


def _messages(case: Case, letter: Letter | None, parts: Parts) -> list[CaseMessage]:
    out = []
    for number, m in enumerate(case.messages, 1):
        folder = "answer" if m.purpose is Purpose.ANSWER else "notices"
        stem = f"{folder}/{number:02d}-{m.purpose.value}"
        files = [parts.add(f"{stem}.txt", f"{m.subject}\n\n{m.body}\n".encode())]
        if letter is not None and m.channel is OutboundChannel.LETTER:
            files.append(parts.add(f"{stem}.docx", letter(m)))
        for index, carried in enumerate(m.files, 1):
            suffix = Path(carried.name).suffix.lstrip(".") or "bin"
            files.append(parts.add(f"{stem}-file{index}.{suffix}", carried.content))
        out.append(
            CaseMessage(
                message_id=m.message_id,
                purpose=m.purpose.value,
                channel=m.channel.value,
                status=m.status.value,
                subject=m.subject,
                files=tuple(files),
            )
        )
    return out


def assemble(
    case: Case,
    proof: Proof,
    pdf: Callable[[Case, list[CaseAttachment]], bytes],
    *,
    read: ReadAttachment,
    letter: Letter | None,
    exported_at: datetime,
) -> Parts:
    """Every file of the case file but the manifest."""
    parts = Parts()
    attachments = _attachments(case, read, parts)
    messages = _messages(case, letter, parts)
    if case.state.answer_text:
        parts.add("answer/answer.txt", f"{case.state.answer_text}\n".encode())
    history = History(
        format=HISTORY_FORMAT,
        appeal_id=case.appeal_id,
        registration_number=case.state.registration_number,
        exported_at=exported_at,
        log_position=case.log_position,
        events=case.events,
        attachments=attachments,
        messages=messages,
    )
    ordered = Parts()
    ordered.add(HISTORY, _json(history))
    ordered.add(PDF, pdf(case, attachments))
    ordered.files.update(parts.files)
    ordered.add(PROOF, _ENCODER.encode(proof))  # compact: mostly digests, one per log position
    return ordered


def write_zip(
    case: Case, parts: Parts, target: Path, key: Ed25519PrivateKey | None, at: datetime
) -> int:
    """The ZIP at ``target`` (written beside it, then renamed: never a partial file under the
    name); its size."""
    manifest = Manifest(
        format=MANIFEST_FORMAT,
        appeal_id=case.appeal_id,
        registration_number=case.state.registration_number,
        created_at=at,
        files={path: hashlib.sha256(content).hexdigest() for path, content in parts.files.items()},
    )
    listed = _json(manifest)
    files = {**parts.files, MANIFEST: listed}
    if key is not None:
        signature = ManifestSignature(
            key_id=key_id(key.public_key()),
            signature=key.sign(manifest_message(listed)).hex(),
            signed_at=datetime.now(UTC),
        )
        files[SIGNATURE] = _json(signature)
    partial = target.with_name(target.name + ".part")
    stamp = at.astimezone(UTC).timetuple()[:6]
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    os.replace(partial, target)
    return target.stat().st_size
