"""The audit export file: gzip JSON Lines of a header, every event with the digest the ledger
recorded, the ledger's entries the log lost, checkpoints and signed checkpoints; and its reading."""

from __future__ import annotations

import base64
import gzip
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, cast
from uuid import UUID

import msgspec

from domain.audit.chain import Checkpoint, SignedCheckpoint
from domain.audit.findings import LedgerRow, LogRow

EXPORT_FORMAT = "otklik-audit-export/1"


class ExportHeader(msgspec.Struct, frozen=True, kw_only=True, tag="header"):
    format: str
    exported_at: datetime
    ledger_position: int
    ledger_events: int
    ledger_link: str
    ledger_head_position: int  # the position of the last event the ledger recorded
    chain: str  # how to recompute it without this code


class ExportEvent(msgspec.Struct, frozen=True, kw_only=True, tag="event", omit_defaults=True):
    position: int
    aggregate_id: UUID
    version: int
    topic: str
    state: str | None = None  # the stored bytes as text (they are JSON) …
    state_b64: str | None = None  # … or base64 when they are not valid UTF-8
    digest: str | None = None  # what the ledger recorded (None: after the ledger's position)


class ExportRecorded(msgspec.Struct, frozen=True, kw_only=True, tag="recorded"):
    """What the ledger recorded at a position where the log has no event any more."""

    position: int
    aggregate_id: UUID
    version: int
    topic: str
    digest: str


class ExportCheckpoint(msgspec.Struct, frozen=True, kw_only=True, tag="checkpoint"):
    checkpoint: Checkpoint


class ExportSigned(msgspec.Struct, frozen=True, kw_only=True, tag="signed"):
    signed: SignedCheckpoint


ExportLine = ExportHeader | ExportEvent | ExportRecorded | ExportCheckpoint | ExportSigned
CHAIN_TEXT = (
    "digest = SHA-256(uuid 16 bytes | version int64 BE | len(topic) uint32 BE | topic UTF-8 |"
    " state bytes); link(n) = SHA-256(link(n-1) | position uint64 BE | digest), link(0) = 32"
    " zero bytes; events in position order"
)


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return cast(IO[bytes], gzip.open(path, "rb")) if gzipped else path.open("rb")


@dataclass
class ExportContents:
    header: ExportHeader
    log: list[LogRow]
    ledger: list[LedgerRow]  # in position order
    checkpoints: list[Checkpoint]
    signed: list[SignedCheckpoint]


def read_export(path: Path) -> ExportContents:
    decoder = msgspec.json.Decoder(ExportLine)
    header: ExportHeader | None = None
    log: list[LogRow] = []
    ledger: list[LedgerRow] = []
    checkpoints: list[Checkpoint] = []
    signed: list[SignedCheckpoint] = []
    with _open(path) as source:
        for number, line in enumerate(source, 1):
            try:
                item = decoder.decode(line)
            except msgspec.DecodeError as error:
                raise ValueError(f"{path}:{number}: not an export line ({error})") from None
            if isinstance(item, ExportEvent):
                state = (
                    item.state.encode()
                    if item.state is not None
                    else base64.b64decode(item.state_b64 or "")
                )
                originator, topic = item.aggregate_id.bytes, item.topic.encode()
                log.append(LogRow(item.position, originator, item.version, topic, state))
                if item.digest is not None:
                    digest = bytes.fromhex(item.digest)
                    ledger.append(LedgerRow(item.position, originator, item.version, topic, digest))
            elif isinstance(item, ExportRecorded):
                ledger.append(
                    LedgerRow(
                        item.position,
                        item.aggregate_id.bytes,
                        item.version,
                        item.topic.encode(),
                        bytes.fromhex(item.digest),
                    )
                )
            elif isinstance(item, ExportCheckpoint):
                checkpoints.append(item.checkpoint)
            elif isinstance(item, ExportSigned):
                signed.append(item.signed)
            else:
                header = item
    if header is None or header.format != EXPORT_FORMAT:
        raise ValueError(f"{path} is not an {EXPORT_FORMAT} file")
    ledger.sort(key=lambda row: row.position)
    return ExportContents(header, log, ledger, checkpoints, signed)
