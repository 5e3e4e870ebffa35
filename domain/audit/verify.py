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

import msgspec

from domain.audit.chain import GENESIS, Checkpoint
from domain.audit.findings import (
    Finding,
    LedgerRow,
    LogRow,
    checkpoint_unreached,
    event_altered,
    event_deleted,
    event_inserted,
    event_moved,
    pair_moves,
)

# (position, aggregate id bytes, version, topic bytes, state or digest): a LogRow or LedgerRow, or
# the plain tuple a COPY stream yields
Raw = tuple[int, bytes, int, bytes, bytes]


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
    walk = _Walk(report, checkpoints, identify, recorded_as)
    findings = walk.findings
    passed = walk.passed
    chain = GENESIS
    count = 0
    position = 0
    ledger_events = 0
    pending = 0
    ledger_iter = iter(ledger)
    recorded = next(ledger_iter, None)
    # the hot loop: locals only, and a call only where the log and the ledger differ
    sha = hashlib.sha256
    checkpoints_left = bool(walk.wanted)
    for row_position, d in log:
        while recorded is not None and recorded[0] < row_position:
            walk.deleted(recorded)
            ledger_events += 1
            recorded = next(ledger_iter, None)
        if checkpoints_left:
            passed(row_position - 1, position, count, chain)
        chain = sha(chain + row_position.to_bytes(8, "big") + d).digest()
        position = row_position
        count += 1
        if recorded is not None and recorded[0] == row_position:
            ledger_events += 1
            if recorded[1] != d:
                walk.differs(recorded, d)
            recorded = next(ledger_iter, None)
        elif row_position <= ledger_position:
            walk.inserted(row_position, d)
        else:
            pending += 1
        if checkpoints_left:
            passed(row_position, position, count, chain)
            checkpoints_left = walk.next_checkpoint < len(walk.wanted)
        if len(findings) >= max_findings:
            break
    ledger_events += walk.finish(recorded, ledger_iter, max_findings, position, count, chain)
    report.findings = pair_moves(findings, walk.moved_log, walk.moved_ledger)
    report.events = count
    report.ledger_events = ledger_events
    report.pending = pending
    report.head_position = position
    report.head_link = chain.hex()
    report.seconds = time.perf_counter() - started
    return report


class _Walk:
    """What ``verify`` gathers beside its hot loop: the findings, the events out of place (to
    pair moves), and the checkpoints still to compare."""

    def __init__(
        self,
        report: Report,
        checkpoints: Sequence[Checkpoint],
        identify: Identify,
        recorded_as: Identify,
    ) -> None:
        self.report = report
        self.identify = identify
        self.recorded_as = recorded_as
        self.findings: list[Finding] = []
        self.wanted = sorted(checkpoints, key=lambda c: c.position)
        self.next_checkpoint = 0
        self.moved_log: dict[bytes, int] = {}  # digest → position, for log events out of place
        self.moved_ledger: dict[int, LedgerRow] = {}  # recorded events not found at their position

    def passed(self, upto: int, position: int, count: int, chain: bytes) -> None:
        """Compare the checkpoints at positions up to ``upto`` with the chain so far (``count``
        events up to ``position``)."""
        wanted = self.wanted
        while self.next_checkpoint < len(wanted) and wanted[self.next_checkpoint].position <= upto:
            cp = wanted[self.next_checkpoint]
            self.next_checkpoint += 1
            self.report.checkpoints += 1
            if cp.position != position or cp.events != count or cp.link != chain.hex():
                self.findings.append(checkpoint_unreached(cp, position, count, chain))

    def found(self, at: int) -> LogRow:
        originator, version, topic = self.identify(at)
        return LogRow(at, originator, version, topic, b"")

    def kept(self, recorded: tuple[int, bytes]) -> LedgerRow:
        originator, version, topic = self.recorded_as(recorded[0])
        return LedgerRow(recorded[0], originator, version, topic, recorded[1])

    def deleted(self, recorded: tuple[int, bytes]) -> None:
        """The ledger recorded an event at a position the log skips."""
        gone = self.kept(recorded)
        self.moved_ledger[recorded[0]] = gone
        self.findings.append(event_deleted(gone))

    def differs(self, recorded: tuple[int, bytes], d: bytes) -> None:
        """The log's event at a recorded position has another digest: altered, or moved."""
        position = recorded[0]
        self.moved_log[d] = position
        was = self.kept(recorded)
        here = self.found(position)
        if (was.originator, was.version) == (here.originator, here.version):
            self.findings.append(event_altered(was, d))
        else:
            self.moved_ledger[position] = was
            self.findings.append(event_moved(was, here))

    def inserted(self, position: int, d: bytes) -> None:
        """The log has an event where the ledger, which has passed that position, recorded none."""
        self.moved_log[d] = position
        self.findings.append(event_inserted(self.found(position)))

    def finish(
        self,
        recorded: tuple[int, bytes] | None,
        ledger: Iterator[tuple[int, bytes]],
        max_findings: int,
        position: int,
        count: int,
        chain: bytes,
    ) -> int:
        """After the log's last event: what the ledger recorded beyond it is deleted, and the
        checkpoints left are compared with the chain's end; how many ledger rows it read."""
        read = 0
        while recorded is not None and len(self.findings) < max_findings:
            self.deleted(recorded)
            read += 1
            recorded = next(ledger, None)
        if len(self.findings) < max_findings:
            self.passed(2**63, position, count, chain)
        return read
