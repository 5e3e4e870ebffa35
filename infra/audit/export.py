"""`otklik audit export`: the log, the ledger's digests, checkpoints and signed checkpoints of one
snapshot written to a self-contained export file (``export_format``)."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import msgspec

from domain.audit.verify import Raw
from infra.audit.export_format import (
    CHAIN_TEXT,
    EXPORT_FORMAT,
    ExportCheckpoint,
    ExportEvent,
    ExportHeader,
    ExportRecorded,
    ExportSigned,
)
from infra.audit.snapshot import (
    LedgerState,
    ledger_entries,
    ledger_state,
    log_rows,
    signed_in_log,
    snapshot,
)

FLUSH_AT = 1 << 20  # bytes of event lines gathered before one write to the gzip stream


def export(conninfo: str, target: Path) -> tuple[int, LedgerState]:
    """Write the log, the ledger's digests, checkpoints and signed checkpoints to ``target``
    (gzip JSON Lines); the number of events written."""
    encoder = msgspec.json.Encoder()
    with snapshot(conninfo) as snap, gzip.open(target, "wb", compresslevel=6) as out:
        state = ledger_state(snap.main)
        signed = signed_in_log(snap.main)
        out.write(encoder.encode(_header(state)) + b"\n")
        missing: list[ExportRecorded] = []
        events = _merged(log_rows(snap.main), ledger_entries(snap.second), missing)
        count = _write_events(out, encoder, events)
        for gone in missing:
            out.write(encoder.encode(gone) + b"\n")
        for checkpoint in state.checkpoints:
            out.write(encoder.encode(ExportCheckpoint(checkpoint=checkpoint)) + b"\n")
        for item in signed:
            out.write(encoder.encode(ExportSigned(signed=item)) + b"\n")
    return count, state


def _header(state: LedgerState) -> ExportHeader:
    return ExportHeader(
        format=EXPORT_FORMAT,
        exported_at=datetime.now(UTC),
        ledger_position=state.position,
        ledger_events=state.events,
        ledger_link=state.link,
        ledger_head_position=state.head_position,
        chain=CHAIN_TEXT,
    )


def _merged(
    log: Iterator[Raw], recorded: Iterator[Raw], missing: list[ExportRecorded]
) -> Iterator[ExportEvent]:
    """Each event of the log with the digest the ledger recorded for it, both read in position
    order side by side; what the ledger recorded that the log no longer holds as recorded goes to
    ``missing``."""
    current = next(recorded, None)
    for position, originator, version, topic, stored in log:
        while current is not None and current[0] < position:
            missing.append(_recorded_line(current))
            current = next(recorded, None)
        known = None
        if current is not None and current[0] == position:
            if (current[1], current[2], current[3]) == (originator, version, topic):
                known = current[4].hex()
            else:
                missing.append(_recorded_line(current))
            current = next(recorded, None)
        yield _event_line(position, originator, version, topic, stored, known)
    while current is not None:
        missing.append(_recorded_line(current))
        current = next(recorded, None)


def _event_line(
    position: int, originator: bytes, version: int, topic: bytes, stored: bytes, known: str | None
) -> ExportEvent:
    try:
        text: str | None = stored.decode()
        raw = None
    except UnicodeDecodeError:
        text, raw = None, base64.b64encode(stored).decode()
    return ExportEvent(
        position=position,
        aggregate_id=UUID(bytes=originator),
        version=version,
        topic=topic.decode(),
        state=text,
        state_b64=raw,
        digest=known,
    )


def _recorded_line(item: Raw) -> ExportRecorded:
    """A ledger entry the log no longer holds as recorded (deleted, or another event at its
    position): kept, so that verifying the file names it."""
    return ExportRecorded(
        position=item[0],
        aggregate_id=UUID(bytes=item[1]),
        version=item[2],
        topic=item[3].decode(),
        digest=item[4].hex(),
    )


def _write_events(
    out: gzip.GzipFile, encoder: msgspec.json.Encoder, events: Iterator[ExportEvent]
) -> int:
    """One line per event, gathered into large writes; how many were written."""
    buffer = bytearray()
    count = 0
    for line in events:
        encoder.encode_into(line, buffer, -1)
        buffer.extend(b"\n")
        if len(buffer) > FLUSH_AT:
            out.write(buffer)
            buffer.clear()
        count += 1
    out.write(buffer)
    return count
