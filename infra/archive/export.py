"""`otklik archive export`: the case files of one appeal or of those closed in a period, read in
one snapshot and proved against signed checkpoints."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.persistence import Mapper, StoredEvent

from domain.appeals.vocabulary import Status
from domain.audit.chain import Checkpoint, SignedCheckpoint
from infra.archive.casefile import Letter, ReadAttachment, assemble, write_zip
from infra.archive.collect import Case, NoSuchAppeal, read_case
from infra.archive.format import CaseAttachment
from infra.archive.proof import ProofUnavailable, build_proof
from infra.audit.keys import sign
from infra.audit.snapshot import signed_in_log, snapshot

_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_ROMAN = "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch - y - e iu ia"
_LATIN = dict(zip(_CYRILLIC, _ROMAN.split(), strict=True))


def _latin(char: str) -> str:
    known = _LATIN.get(char.lower())
    if known is None:
        return char
    letters = known.strip("-")  # the hard and the soft sign have none
    return letters.upper() if char.isupper() else letters


def safe_name(number: str | None, appeal_id: UUID) -> str:
    """A file name any file system and archive system takes: the registration number in Latin
    letters, digits, ``-`` and ``.`` (``О-2026/000123`` → ``O-2026-000123``); the appeal's id
    when there is no number."""
    if not number:
        return str(appeal_id)
    latin = "".join(_latin(c) for c in unicodedata.normalize("NFC", number))
    cleaned = re.sub(r"[^A-Za-z0-9.]+", "-", latin).strip("-.")[:100]
    return cleaned or str(appeal_id)


@dataclass
class Exported:
    appeal_id: UUID
    registration_number: str | None
    path: Path | None  # None: not written (``problem`` says why)
    events: int = 0
    size: int = 0
    problem: str | None = None


@dataclass
class Archiver:
    """What an export needs from the composition root."""

    conninfo: str
    mapper: Mapper[UUID]
    read: ReadAttachment
    letter: Letter | None
    pdf: Callable[[Case, list[CaseAttachment], datetime], bytes]
    ledger_head: Callable[[], Checkpoint]  # the audit ledger's head now
    record_signed: Callable[[SignedCheckpoint], Any]  # puts a signed checkpoint in the log


def closed_in(
    conn: psycopg.Connection[Any], mapper: Mapper[UUID], first: date, last: date, zone: str
) -> list[UUID]:
    """The appeals whose last closing falls on the days ``first``..``last`` (local time in
    ``zone``), in the order of that closing."""
    tz = ZoneInfo(zone)
    start = datetime.combine(first, time(), tz)
    end = datetime.combine(last + timedelta(days=1), time(), tz)
    latest: dict[UUID, tuple[int, datetime]] = {}
    rows = conn.execute(
        "SELECT originator_id, originator_version, topic, state FROM otklik_events"
        " WHERE topic = 'AppealClosed' OR topic LIKE 'AppealClosed@%%'"
    )
    for stream_id, version, topic, state in rows:
        event = mapper.to_domain_event(StoredEvent(stream_id, version, topic, bytes(state)))
        known = latest.get(stream_id)
        if known is None or known[0] < version:
            latest[stream_id] = (int(version), event.occurred_at)  # type: ignore[attr-defined]
    chosen = [(at, i) for i, (_v, at) in latest.items() if start <= at < end]
    return [appeal_id for _at, appeal_id in sorted(chosen)]


def _sign_head(archiver: Archiver, key: Ed25519PrivateKey) -> None:
    head = archiver.ledger_head()
    if head.events:
        archiver.record_signed(sign(head, key))


def _target(folder: Path, case: Case, taken: set[str]) -> Path:
    name = safe_name(case.state.registration_number, case.appeal_id)
    if name in taken:  # the same number in two municipalities
        name = f"{name}_{str(case.appeal_id)[:8]}"
    taken.add(name)
    return folder / f"{name}.zip"


def _one(
    archiver: Archiver,
    conn: psycopg.Connection[Any],
    appeal_id: UUID,
    signed: Sequence[SignedCheckpoint],
    out: tuple[Path, set[str], Ed25519PrivateKey | None],
    closed_only: bool,
) -> Exported:
    folder, taken, key = out
    try:
        case = read_case(conn, archiver.mapper, appeal_id)
    except NoSuchAppeal as error:
        return Exported(appeal_id, None, None, problem=str(error))
    number = case.state.registration_number
    if closed_only and case.state.status is not Status.CLOSED:
        return Exported(appeal_id, number, None, problem="reopened since: not closed now")
    try:
        proof = build_proof(conn, case.events, signed)
    except ProofUnavailable as error:
        return Exported(appeal_id, number, None, problem=str(error))
    at = datetime.now(UTC)
    parts = assemble(
        case,
        proof,
        lambda c, files: archiver.pdf(c, files, at),
        read=archiver.read,
        letter=archiver.letter,
        exported_at=at,
    )
    target = _target(folder, case, taken)
    size = write_zip(case, parts, target, key, at)
    return Exported(appeal_id, number, target, events=len(case.events), size=size)


def export_cases(
    archiver: Archiver,
    folder: Path,
    *,
    appeal: UUID | None = None,
    period: tuple[date, date, str] | None = None,
    key: Ed25519PrivateKey | None = None,
) -> list[Exported]:
    """The case file of ``appeal``, or of each appeal closed in ``period`` (first day, last
    day, time zone), written to ``folder``. With ``key``, the ledger's head is signed (and
    recorded in the log) first, and each manifest signed."""
    folder.mkdir(parents=True, exist_ok=True)
    if key is not None:
        _sign_head(archiver, key)
    with snapshot(archiver.conninfo) as snap:
        conn = snap.main
        signed = signed_in_log(conn)
        if period is not None:
            ids = closed_in(conn, archiver.mapper, *period)
        else:
            assert appeal is not None, "an appeal or a period"
            ids = [appeal]
        out = (folder, set[str](), key)
        return [_one(archiver, conn, i, signed, out, period is not None) for i in ids]
