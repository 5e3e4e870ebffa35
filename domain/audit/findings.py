"""What a verification of the log can find: the rows it names, the kinds of problem, a finding,
and the words that say what differs."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple
from uuid import UUID

import msgspec

from domain.audit.chain import Checkpoint


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


def checkpoint_unreached(cp: Checkpoint, position: int, count: int, chain: bytes) -> Finding:
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


def event_deleted(recorded: LedgerRow) -> Finding:
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


def event_altered(recorded: LedgerRow, found: bytes) -> Finding:
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


def event_moved(recorded: LedgerRow, row: LogRow) -> Finding:
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


def event_inserted(row: LogRow) -> Finding:
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


def pair_moves(
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
