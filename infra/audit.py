"""Audit tooling over the database or an export file: read the log and the ledger in one
consistent snapshot, export them to a self-contained JSON Lines file (gzip), verify either, and
sign checkpoints with the control centre's Ed25519 key (``cryptography``)."""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import multiprocessing
import os
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from queue import Empty
from typing import IO, Any, cast
from uuid import UUID

import msgspec
import psycopg
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain.audit.chain import Checkpoint, SignedCheckpoint
from domain.audit.events import CHECKPOINTS_STREAM, CheckpointSigned
from domain.audit.verify import (
    Finding,
    Identify,
    LedgerRow,
    LogRow,
    Problem,
    Raw,
    Report,
    digested,
    verify,
)
from infra.audit_digests import LOG_TYPES, digest_part, join, log_query
from infra.eventstore import decode_event
from projections.audit_ledger import AuditLedgerProjection
from projections.engine.model import view_position

EXPORT_FORMAT = "otklik-audit-export/1"
FETCH = 20_000


# --- keys and signatures --------------------------------------------------------------------------
def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate_keys(folder: Path) -> tuple[Path, Path]:
    """A new key pair: the private key (PEM, keep it offline) and the public key (PEM, give it to
    every auditor)."""
    folder.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    secret = folder / "otklik-audit.key"
    public = folder / "otklik-audit.pub"
    secret.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    secret.chmod(0o600)
    public.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return secret, public


def load_private(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key


def sign(checkpoint: Checkpoint, private: Ed25519PrivateKey) -> SignedCheckpoint:
    return SignedCheckpoint(
        checkpoint=checkpoint,
        key_id=key_id(private.public_key()),
        signature=private.sign(checkpoint.message()).hex(),
        signed_at=datetime.now(UTC),
    )


def signature_valid(signed: SignedCheckpoint, keys: dict[str, Ed25519PublicKey]) -> bool | None:
    """True or False; None when no key with that id was given."""
    public = keys.get(signed.key_id)
    if public is None:
        return None
    try:
        public.verify(bytes.fromhex(signed.signature), signed.checkpoint.message())
    except (InvalidSignature, ValueError):
        return False
    return True


# --- the database: one snapshot ----------------------------------------------------------------
@dataclass
class LedgerState:
    position: int  # the last log position the ledger has processed
    events: int
    link: str
    checkpoints: list[Checkpoint] = field(default_factory=list)
    head_position: int = 0  # the position of the last event it recorded

    @property
    def head(self) -> list[Checkpoint]:
        """The chain's head as one more checkpoint (none before the first event)."""
        if not self.events:
            return []
        return [Checkpoint(position=self.head_position, events=self.events, link=self.link)]


def ledger_state(conn: psycopg.Connection[Any]) -> LedgerState:
    built = view_position(conn, AuditLedgerProjection.name)
    if built is None:
        raise LookupError("the audit ledger has no active build yet (otklik projections run)")
    head = conn.execute("SELECT events, link, position FROM audit_head WHERE id = 1").fetchone()
    checkpoints = [
        Checkpoint(position=int(r[0]), events=int(r[1]), link=bytes(r[2]).hex())
        for r in conn.execute(
            "SELECT position, events, link FROM audit_checkpoints ORDER BY position"
        )
    ]
    if head is None:
        return LedgerState(built, 0, bytes(32).hex(), checkpoints)
    return LedgerState(
        built, int(head[0]), bytes(head[1]).hex(), checkpoints, head_position=int(head[2])
    )


@dataclass
class Snapshot:
    """Connections that see the database as of one instant (an exported snapshot), so the log
    and the ledger can be streamed side by side, each with COPY, by this process or others."""

    conninfo: str
    id: str
    main: psycopg.Connection[Any]
    second: psycopg.Connection[Any]


@contextlib.contextmanager
def snapshot(conninfo: str) -> Iterator[Snapshot]:
    """Read-only, repeatable-read, one instant for every connection. Leaving it closes them: a
    stream left unfinished (a verification that stopped early) is abandoned, not drained."""
    main = psycopg.connect(conninfo)
    opened = [main]
    try:
        main.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        main.read_only = True
        row = main.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        second = join(conninfo, row[0])
        opened.append(second)
        yield Snapshot(conninfo, row[0], main, second)
    finally:
        for conn in opened:
            conn.close()


_LEDGER_COPY = (
    "COPY (SELECT position, digest FROM audit_ledger ORDER BY position) TO STDOUT (FORMAT BINARY)"
)


def _stream(conn: psycopg.Connection[Any], statement: str, types: list[str]) -> Iterator[Any]:
    """Raw rows through binary COPY: the fastest way out of PostgreSQL, no Python object but
    the tuple per row."""
    try:
        with conn.cursor() as cur, cur.copy(statement) as copy:
            copy.set_types(types)
            yield from copy.rows()
    except psycopg.OperationalError:
        if not conn.closed:
            raise  # the database failed under the stream: the verification cannot stand
        # else the snapshot was closed under a stream a verification abandoned: nothing to read


def log_rows(conn: psycopg.Connection[Any], lo: int = 0, hi: int = 2**62) -> Iterator[Raw]:
    """The stored events at positions ``lo``..``hi``, in position order, as raw columns."""
    rows: Iterator[Raw] = _stream(conn, log_query(lo, hi), LOG_TYPES)
    return rows


def _identity(conn: psycopg.Connection[Any], table: str, key: str) -> Identify:
    """Which event stands at a position in ``table`` (for a finding): read in the snapshot."""
    query = psycopg.sql.SQL(
        "SELECT uuid_send(originator_id), originator_version, convert_to(topic, 'UTF8')"
        " FROM {} WHERE {} = %s"
    ).format(psycopg.sql.Identifier(table), psycopg.sql.Identifier(key))

    def at(position: int) -> tuple[bytes, int, bytes]:
        row = conn.execute(query, (position,)).fetchone()
        assert row is not None
        return bytes(row[0]), int(row[1]), bytes(row[2])

    return at


def identify(conn: psycopg.Connection[Any]) -> Identify:
    """Who the log's event at a position is."""
    return _identity(conn, "otklik_events", "notification_id")


def recorded_as(conn: psycopg.Connection[Any]) -> Identify:
    """Which event the ledger recorded at a position."""
    return _identity(conn, "audit_ledger", "position")


# below this many events the digests are computed in this process (no start-up cost)
PARALLEL_FROM = 200_000


def _batches(queue: Any, process: Any) -> Iterator[tuple[bytes, bytes]]:
    while True:
        try:
            batch = queue.get(timeout=1.0)
        except Empty:
            if process.exitcode is not None and queue.empty():
                raise RuntimeError(f"a digest worker died (exit code {process.exitcode})") from None
            continue
        if batch is None:
            return
        yield batch


def _gathered(queues: Sequence[Any], processes: Sequence[Any]) -> Iterator[tuple[int, bytes]]:
    """The workers' digests, part after part: in position order."""
    for queue, process in zip(queues, processes, strict=True):
        for batch in _batches(queue, process):
            positions = array("q")
            positions.frombytes(batch[0])
            blob = batch[1]
            digests = [blob[i : i + 32] for i in range(0, len(blob), 32)]
            yield from zip(positions, digests, strict=True)


@contextlib.contextmanager
def log_digests(
    snap: Snapshot, workers: int, *, parallel_from: int = PARALLEL_FROM
) -> Iterator[Iterator[tuple[int, bytes]]]:
    """(position, digest) of every event in the snapshot, in position order. A large log is
    split between ``workers`` processes by ranges of positions (SHA-256 over the stored bytes
    is the cost; the chain itself stays sequential, in this process)."""
    bounds = snap.main.execute(
        "SELECT coalesce(min(notification_id), 0), coalesce(max(notification_id), 0),"
        " count(*) FROM otklik_events"
    ).fetchone()
    assert bounds is not None
    low, high, total = (int(b) for b in bounds)
    if workers <= 1 or total < parallel_from:
        conn = join(snap.conninfo, snap.id)
        try:
            yield digested(log_rows(conn))
        finally:
            conn.close()
        return
    step = (high - low) // workers + 1
    parts = [(low + i * step, low + (i + 1) * step - 1) for i in range(workers)]
    context = multiprocessing.get_context("spawn")
    queues = [context.Queue(maxsize=64) for _ in range(workers)]
    processes = [
        context.Process(
            target=digest_part,
            args=(snap.conninfo, snap.id, lo, hi, queue),
            daemon=True,
        )
        for (lo, hi), queue in zip(parts, queues, strict=True)
    ]
    for process in processes:
        process.start()
    try:
        yield _gathered(queues, processes)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join(5)


def ledger_rows(conn: psycopg.Connection[Any]) -> Iterator[tuple[int, bytes]]:
    """The digests the ledger recorded, (position, digest) in position order."""
    rows: Iterator[tuple[int, bytes]] = _stream(conn, _LEDGER_COPY, ["int8", "bytea"])
    return rows


_ENTRIES_COPY = (
    "COPY (SELECT position, originator_id, originator_version, topic, digest FROM audit_ledger"
    " ORDER BY position) TO STDOUT (FORMAT BINARY)"
)


def ledger_entries(conn: psycopg.Connection[Any]) -> Iterator[Raw]:
    """What the ledger recorded, whole: (position, id bytes, version, topic bytes, digest)."""
    rows: Iterator[Raw] = _stream(conn, _ENTRIES_COPY, LOG_TYPES)
    return rows


def signed_in_log(conn: psycopg.Connection[Any]) -> list[SignedCheckpoint]:
    rows = conn.execute(
        "SELECT topic, state FROM otklik_events WHERE originator_id = %s"
        " ORDER BY originator_version",
        (CHECKPOINTS_STREAM,),
    ).fetchall()
    return [cast(CheckpointSigned, decode_event(t, bytes(s))).signed for t, s in rows]


@dataclass
class Verification:
    report: Report
    signatures_valid: int = 0
    signatures_unchecked: int = 0  # no public key given for their key id
    source: str = ""


def _checkpoint_findings(
    signed: Sequence[SignedCheckpoint], keys: dict[str, Ed25519PublicKey], result: Verification
) -> list[Checkpoint]:
    """The checkpoints whose signatures hold (or cannot be checked), counting each; a bad
    signature is a finding of its own."""
    usable = []
    for item in signed:
        valid = signature_valid(item, keys)
        if valid is False:
            result.report.findings.append(
                Finding(
                    position=item.checkpoint.position,
                    problem=Problem.CHECKPOINT,
                    aggregate_id=None,
                    version=None,
                    topic=None,
                    detail=(
                        f"the signature of the checkpoint at position {item.checkpoint.position}"
                        f" does not verify with key {item.key_id}"
                    ),
                )
            )
            continue
        if valid:
            result.signatures_valid += 1
        else:
            result.signatures_unchecked += 1
        usable.append(item.checkpoint)
    return usable


def verify_database(
    conninfo: str,
    *,
    published: Sequence[SignedCheckpoint] = (),
    keys: dict[str, Ed25519PublicKey] | None = None,
    workers: int | None = None,
    parallel_from: int = PARALLEL_FROM,
) -> Verification:
    """The live log against the ledger, its checkpoints, the checkpoints signed into the log,
    and any published ones given (from outside the database). ``workers`` processes compute
    the digests of a log of at least ``parallel_from`` events (default: one per core)."""
    return _verify_snapshot(
        conninfo,
        published=published,
        keys=keys or {},
        workers=workers or os.cpu_count() or 1,
        parallel_from=parallel_from,
    )


def _verify_snapshot(
    conninfo: str,
    *,
    published: Sequence[SignedCheckpoint],
    keys: dict[str, Ed25519PublicKey],
    workers: int,
    parallel_from: int,
) -> Verification:
    with snapshot(conninfo) as snap:
        state = ledger_state(snap.main)
        signed = [*signed_in_log(snap.main), *published]
        result = Verification(report=Report(), source="database")
        usable = _checkpoint_findings(signed, keys, result)
        bad = result.report.findings
        with log_digests(snap, workers, parallel_from=parallel_from) as log:
            result.report = verify(
                log,
                ledger_rows(snap.second),
                [*state.checkpoints, *state.head, *usable],
                ledger_position=state.position,
                identify=identify(snap.main),
                recorded_as=recorded_as(snap.main),
            )
        result.report.findings = sorted([*bad, *result.report.findings], key=lambda f: f.position)
    return result


# --- export files ---------------------------------------------------------------------------------
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


def export(conninfo: str, target: Path) -> tuple[int, LedgerState]:
    """Write the log, the ledger's digests, checkpoints and signed checkpoints to ``target``
    (gzip JSON Lines); the number of events written."""
    encoder = msgspec.json.Encoder()
    count = 0
    with snapshot(conninfo) as snap, gzip.open(target, "wb", compresslevel=6) as out:
        state = ledger_state(snap.main)
        signed = signed_in_log(snap.main)
        header = ExportHeader(
            format=EXPORT_FORMAT,
            exported_at=datetime.now(UTC),
            ledger_position=state.position,
            ledger_events=state.events,
            ledger_link=state.link,
            ledger_head_position=state.head_position,
            chain=CHAIN_TEXT,
        )
        out.write(encoder.encode(header) + b"\n")
        recorded = ledger_entries(snap.second)
        current = next(recorded, None)
        buffer = bytearray()
        missing: list[ExportRecorded] = []

        def recorded_line(item: Raw) -> ExportRecorded:
            """A ledger entry the log no longer holds as recorded (deleted, or another event at
            its position): kept, so that verifying the file names it."""
            return ExportRecorded(
                position=item[0],
                aggregate_id=UUID(bytes=item[1]),
                version=item[2],
                topic=item[3].decode(),
                digest=item[4].hex(),
            )

        for position, originator, version, topic, stored in log_rows(snap.main):
            while current is not None and current[0] < position:
                missing.append(recorded_line(current))
                current = next(recorded, None)
            known = None
            if current is not None and current[0] == position:
                if (current[1], current[2], current[3]) == (originator, version, topic):
                    known = current[4].hex()
                else:
                    missing.append(recorded_line(current))
                current = next(recorded, None)
            try:
                text: str | None = stored.decode()
                raw = None
            except UnicodeDecodeError:
                text, raw = None, base64.b64encode(stored).decode()
            line = ExportEvent(
                position=position,
                aggregate_id=UUID(bytes=originator),
                version=version,
                topic=topic.decode(),
                state=text,
                state_b64=raw,
                digest=known,
            )
            encoder.encode_into(line, buffer, -1)
            buffer.extend(b"\n")
            if len(buffer) > 1 << 20:
                out.write(buffer)
                buffer.clear()
            count += 1
        while current is not None:
            missing.append(recorded_line(current))
            current = next(recorded, None)
        out.write(buffer)
        for gone in missing:
            out.write(encoder.encode(gone) + b"\n")
        for checkpoint in state.checkpoints:
            out.write(encoder.encode(ExportCheckpoint(checkpoint=checkpoint)) + b"\n")
        for item in signed:
            out.write(encoder.encode(ExportSigned(signed=item)) + b"\n")
    return count, state


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


def verify_file(
    path: Path,
    *,
    published: Sequence[SignedCheckpoint] = (),
    keys: dict[str, Ed25519PublicKey] | None = None,
) -> Verification:
    """An export checked on its own: every event against the digest the ledger had recorded,
    the chain against the ledger's checkpoints, and the signed checkpoints (in the file and
    given) against the keys."""
    contents = read_export(path)
    header, log, ledger = contents.header, contents.log, contents.ledger
    checkpoints, signed = contents.checkpoints, contents.signed
    result = Verification(report=Report(), source=str(path))
    usable = _checkpoint_findings([*signed, *published], keys or {}, result)
    bad = result.report.findings
    head = Checkpoint(
        position=header.ledger_head_position,
        events=header.ledger_events,
        link=header.ledger_link,
    )
    names = {row.position: (row.originator, row.version, row.topic) for row in log}
    recorded = {row.position: (row.originator, row.version, row.topic) for row in ledger}
    result.report = verify(
        digested(log),
        ((row.position, row.digest) for row in ledger),
        [*checkpoints, *usable, *([head] if header.ledger_events else [])],
        ledger_position=header.ledger_position,
        identify=names.__getitem__,
        recorded_as=recorded.__getitem__,
    )
    result.report.findings = sorted([*bad, *result.report.findings], key=lambda f: f.position)
    return result


def read_published(path: Path) -> list[SignedCheckpoint]:
    """Signed checkpoints kept outside the database: one JSON object per line, as
    ``otklik audit checkpoint`` prints them."""
    decoder = msgspec.json.Decoder(SignedCheckpoint)
    return [decoder.decode(line) for line in path.read_bytes().splitlines() if line.strip()]
