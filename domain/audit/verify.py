"""Verification of the event log against the audit ledger and the published checkpoints, as a
pure function of three streams (so the same code checks a live database and an export file):

- the log: every stored event, in position order, with its bytes;
- the ledger: what the audit-ledger projection recorded for each position when it first saw it
  (the event's identity and digest);
- checkpoints: the chain's link at given positions (the ledger's own, and any published ones).

It names each position where the log and the ledger disagree — an event altered, deleted,
inserted, or moved to another position (two swapped events are two moves) — with the aggregate it
belongs to, and each checkpoint the log's chain no longer reaches.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from enum import StrEnum
from typing import NamedTuple
from uuid import UUID

import msgspec

from domain.audit.chain import GENESIS, Checkpoint


class LogRow(NamedTuple):
    """A stored event as the verifier reads it: raw columns, no objects built."""

    position: int
    originator: bytes  # the aggregate id's 16 bytes
    version: int
    topic: bytes  # UTF-8
    state: bytes


class LedgerRow(NamedTuple):
    position: int
    originator: bytes
    version: int
    topic: bytes
    digest: bytes


# (position, aggregate id bytes, version, topic bytes, state or digest): a LogRow or LedgerRow, or
# the plain tuple a COPY stream yields
Raw = tuple[int, bytes, int, bytes, bytes]


class Problem(StrEnum):
    ALTERED = "altered"  # same event (aggregate, version), different bytes
    DELETED = "deleted"  # the ledger recorded an event the log no longer has
    INSERTED = "inserted"  # the log has an event the ledger never recorded at that position
    MOVED = "moved"  # the position holds another event than the one recorded there
    CHECKPOINT = "checkpoint"  # the log's chain does not reach a checkpoint's link


class Finding(msgspec.Struct, frozen=True, kw_only=True):
    position: int
    problem: Problem
    aggregate_id: UUID | None  # the appeal (or other stream) the recorded event belongs to
    version: int | None
    topic: str | None
    detail: str


class Report(msgspec.Struct, kw_only=True):
    events: int = 0  # log events checked
    ledger_events: int = 0  # ledger rows compared
    ledger_position: int = 0  # the last position the ledger has recorded
    pending: int = 0  # log events after the ledger's position (not yet recorded: not judged)
    head_position: int = 0
    head_link: str = GENESIS.hex()
    checkpoints: int = 0  # checkpoints compared
    findings: list[Finding] = msgspec.field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first(self) -> Finding | None:
        return min(self.findings, key=lambda f: f.position) if self.findings else None


def digested(log: Iterable[Raw]) -> Iterator[tuple[int, bytes]]:
    """(position, digest) of each stored event (``chain.digest_of``, inlined: this is the
    verification's hot loop)."""
    sha = hashlib.sha256
    for position, originator, version, topic, state in log:
        yield (
            position,
            sha(
                b"".join(
                    (
                        originator,
                        version.to_bytes(8, "big", signed=True),
                        len(topic).to_bytes(4, "big"),
                        topic,
                        state,
                    )
                )
            ).digest(),
        )


# the identity of the log's event at a position: (aggregate id bytes, version, topic bytes)
Identify = Callable[[int], tuple[bytes, int, bytes]]


def verify(
    log: Iterable[tuple[int, bytes]],
    ledger: Iterable[tuple[int, bytes]],
    checkpoints: Sequence[Checkpoint] = (),
    *,
    ledger_position: int,
    identify: Identify,
    recorded_as: Identify,
    max_findings: int = 1000,
) -> Report:
    """Walk the log's digests (``digested``) and the ledger's (position, digest) side by side by
    position; compute the chain; compare with the ledger (up to ``ledger_position``, the last
    position it has processed: later events are pending) and with the checkpoints. Where
    something differs, ``identify`` names the log's event at a position and ``recorded_as`` the
    event the ledger recorded there."""
    started = time.perf_counter()
    report = Report(ledger_position=ledger_position)
    findings: list[Finding] = []
    wanted = sorted(checkpoints, key=lambda c: c.position)
    next_checkpoint = 0
    moved_log: dict[bytes, int] = {}  # digest → position, for log events out of place
    moved_ledger: dict[int, LedgerRow] = {}  # recorded events not found at their position
    chain = GENESIS
    count = 0
    position = 0
    ledger_events = 0
    pending = 0
    ledger_iter = iter(ledger)
    recorded = next(ledger_iter, None)

    def passed(upto: int) -> None:
        """Compare the checkpoints at positions up to ``upto`` with the chain so far."""
        nonlocal next_checkpoint
        while next_checkpoint < len(wanted) and wanted[next_checkpoint].position <= upto:
            cp = wanted[next_checkpoint]
            next_checkpoint += 1
            report.checkpoints += 1
            if cp.position != position or cp.events != count or cp.link != chain.hex():
                findings.append(_checkpoint(cp, position, count, chain))

    def found(at: int) -> LogRow:
        originator, version, topic = identify(at)
        return LogRow(at, originator, version, topic, b"")

    def kept(recorded: tuple[int, bytes]) -> LedgerRow:
        originator, version, topic = recorded_as(recorded[0])
        return LedgerRow(recorded[0], originator, version, topic, recorded[1])

    sha = hashlib.sha256
    checkpoints_left = bool(wanted)
    for row_position, d in log:
        while recorded is not None and recorded[0] < row_position:
            gone = kept(recorded)
            moved_ledger[recorded[0]] = gone
            findings.append(_deleted(gone))
            ledger_events += 1
            recorded = next(ledger_iter, None)
        if checkpoints_left:
            passed(row_position - 1)
        chain = sha(chain + row_position.to_bytes(8, "big") + d).digest()
        position = row_position
        count += 1
        if recorded is not None and recorded[0] == row_position:
            ledger_events += 1
            if recorded[1] != d:
                moved_log[d] = row_position
                was = kept(recorded)
                here = found(row_position)
                if (was.originator, was.version) == (here.originator, here.version):
                    findings.append(_altered(was, d))
                else:
                    moved_ledger[row_position] = was
                    findings.append(_moved(was, here))
            recorded = next(ledger_iter, None)
        elif row_position <= ledger_position:
            moved_log[d] = row_position
            findings.append(_inserted(found(row_position)))
        else:
            pending += 1
        if checkpoints_left:
            passed(row_position)
            checkpoints_left = next_checkpoint < len(wanted)
        if len(findings) >= max_findings:
            break
    while recorded is not None and len(findings) < max_findings:
        gone = kept(recorded)
        moved_ledger[recorded[0]] = gone
        findings.append(_deleted(gone))
        ledger_events += 1
        recorded = next(ledger_iter, None)
    if len(findings) < max_findings:
        passed(2**63)
    report.findings = _pair_moves(findings, moved_log, moved_ledger)
    report.events = count
    report.ledger_events = ledger_events
    report.pending = pending
    report.head_position = position
    report.head_link = chain.hex()
    report.seconds = time.perf_counter() - started
    return report


def _checkpoint(cp: Checkpoint, position: int, count: int, chain: bytes) -> Finding:
    return Finding(
        position=cp.position,
        problem=Problem.CHECKPOINT,
        aggregate_id=None,
        version=None,
        topic=None,
        detail=(
            f"the checkpoint at position {cp.position} ({cp.events} events, link"
            f" {cp.link[:16]}…) is not reached: the log gives {count} events up to position"
            f" {position}, link {chain.hex()[:16]}…"
        ),
    )


def _who(row: LogRow | LedgerRow) -> tuple[UUID, str]:
    return UUID(bytes=row.originator), row.topic.decode(errors="replace")


def _deleted(recorded: LedgerRow) -> Finding:
    aggregate, topic = _who(recorded)
    return Finding(
        position=recorded.position,
        problem=Problem.DELETED,
        aggregate_id=aggregate,
        version=recorded.version,
        topic=topic,
        detail=(
            f"the ledger recorded {topic} version {recorded.version} of {aggregate} at position"
            f" {recorded.position}; the log has no event there"
        ),
    )


def _altered(recorded: LedgerRow, found: bytes) -> Finding:
    aggregate, topic = _who(recorded)
    return Finding(
        position=recorded.position,
        problem=Problem.ALTERED,
        aggregate_id=aggregate,
        version=recorded.version,
        topic=topic,
        detail=(
            f"{topic} version {recorded.version} of {aggregate}: its bytes were changed (digest"
            f" {found.hex()[:16]}…, recorded {recorded.digest.hex()[:16]}…)"
        ),
    )


def _moved(recorded: LedgerRow, row: LogRow) -> Finding:
    aggregate, topic = _who(recorded)
    found, found_topic = _who(row)
    return Finding(
        position=recorded.position,
        problem=Problem.MOVED,
        aggregate_id=aggregate,
        version=recorded.version,
        topic=topic,
        detail=(
            f"the ledger recorded {topic} version {recorded.version} of {aggregate} here; the log"
            f" holds {found_topic} version {row.version} of {found}"
        ),
    )


def _inserted(row: LogRow) -> Finding:
    aggregate, topic = _who(row)
    return Finding(
        position=row.position,
        problem=Problem.INSERTED,
        aggregate_id=aggregate,
        version=row.version,
        topic=topic,
        detail=(
            f"{topic} version {row.version} of {aggregate} is in the log at position"
            f" {row.position}, which the ledger never recorded"
        ),
    )


def _pair_moves(
    findings: list[Finding], moved_log: dict[bytes, int], moved_ledger: dict[int, LedgerRow]
) -> list[Finding]:
    """Say where a recorded event went when its bytes are in the log at another position (two
    swapped events, or one moved to a free position)."""
    paired = []
    for finding in findings:
        recorded = moved_ledger.get(finding.position)
        if finding.problem in (Problem.MOVED, Problem.DELETED) and recorded is not None:
            elsewhere = moved_log.get(recorded.digest)
            if elsewhere is not None and elsewhere != finding.position:
                finding = msgspec.structs.replace(
                    finding,
                    problem=Problem.MOVED,
                    detail=f"{finding.detail}; that event is now at position {elsewhere}",
                )
        paired.append(finding)
    return sorted(paired, key=lambda f: (f.position, f.problem != Problem.CHECKPOINT))
