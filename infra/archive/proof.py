"""The chain proof of one case: each event's links, and the segments of the global chain (digests
only) that carry them to signed checkpoints, read from the audit ledger."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import psycopg

from domain.audit.chain import GENESIS, SignedCheckpoint, link
from infra.archive.format import PROOF_FORMAT, CaseEvent, Proof, ProvedEvent, Segment
from infra.audit.export_format import CHAIN_TEXT


class ProofUnavailable(Exception):
    """The case cannot be proved now (the ledger behind, no signed checkpoint covering it, or
    the log disagreeing with the ledger): the message says what to do."""


def _check_ledger(conn: psycopg.Connection[Any], events: Sequence[CaseEvent]) -> None:
    positions = [e.position for e in events]
    recorded = {
        int(p): bytes(d).hex()
        for p, d in conn.execute(
            "SELECT position, digest FROM audit_ledger WHERE position = ANY(%s)", (positions,)
        )
    }
    for event in events:
        known = recorded.get(event.position)
        if known is None:
            raise ProofUnavailable(
                f"the audit ledger has not recorded position {event.position} yet: let the"
                " projections catch up (otklik projections run) and export again"
            )
        if known != event.digest:
            raise ProofUnavailable(
                f"the stored event at position {event.position} differs from what the audit"
                " ledger recorded: run otklik audit verify"
            )


def _anchor(signed: Sequence[SignedCheckpoint], position: int) -> int:
    for index, item in enumerate(signed):
        if item.checkpoint.position >= position:
            return index
    raise ProofUnavailable(
        f"no signed checkpoint covers position {position}: sign one (otklik audit checkpoint,"
        " or export with --key)"
    )


def _start(conn: psycopg.Connection[Any], before: int) -> tuple[int, int, bytes]:
    """The ledger's nearest checkpoint before ``before`` (position, events, link), or genesis."""
    row = conn.execute(
        "SELECT position, events, link FROM audit_checkpoints WHERE position < %s"
        " ORDER BY position DESC LIMIT 1",
        (before,),
    ).fetchone()
    return (int(row[0]), int(row[1]), bytes(row[2])) if row else (0, 0, GENESIS)


def _digests(conn: psycopg.Connection[Any], after: int, upto: int) -> Iterator[tuple[int, bytes]]:
    with conn.cursor(name="archive_segment") as cur:
        cur.itersize = 10_000
        cur.execute(
            "SELECT position, digest FROM audit_ledger WHERE position > %s AND position <= %s"
            " ORDER BY position",
            (after, upto),
        )
        for position, value in cur:
            yield int(position), bytes(value)


def _segment(
    conn: psycopg.Connection[Any],
    events: Sequence[CaseEvent],
    signed: SignedCheckpoint,
    index: int,
    proved: list[ProvedEvent],
) -> Segment:
    """From the link just before ``events[0]`` to ``signed``: every position's digest, each case
    event's links recorded in ``proved``."""
    first = events[0].position
    after, counted, current = _start(conn, first)
    ours = {e.position: e for e in events}
    start_link, start_events = current, counted
    entries: list[tuple[int, str]] = []
    for position, value in _digests(conn, after, signed.checkpoint.position):
        previous, current = current, link(current, position, value)
        if position < first:
            start_link, start_events = current, counted + 1
        else:
            entries.append((position, value.hex()))
            event = ours.get(position)
            if event is not None:
                proved.append(_proved(event, previous, current, index))
        counted += 1
    if current.hex() != signed.checkpoint.link or counted != signed.checkpoint.events:
        raise ProofUnavailable(
            f"the ledger's chain does not reach the signed checkpoint at position"
            f" {signed.checkpoint.position}: run otklik audit verify"
        )
    return Segment(
        start_link=start_link.hex(),
        start_events=start_events,
        entries=entries,
        checkpoint=signed,
    )


def _proved(event: CaseEvent, previous: bytes, after: bytes, segment: int) -> ProvedEvent:
    return ProvedEvent(
        position=event.position,
        stream_id=event.stream_id,
        version=event.version,
        topic=event.topic,
        digest=event.digest,
        previous_link=previous.hex(),
        link=after.hex(),
        segment=segment,
    )


def build_proof(
    conn: psycopg.Connection[Any],
    events: Sequence[CaseEvent],
    signed: Sequence[SignedCheckpoint],
) -> Proof:
    """The proof of ``events`` (a case's, in log order) against the earliest signed checkpoint
    at or after each: one segment per checkpoint used."""
    _check_ledger(conn, events)
    ordered = sorted(signed, key=lambda s: s.checkpoint.position)
    groups: dict[int, list[CaseEvent]] = {}
    for event in sorted(events, key=lambda e: e.position):
        groups.setdefault(_anchor(ordered, event.position), []).append(event)
    proved: list[ProvedEvent] = []
    segments = [
        _segment(conn, group, ordered[anchor], index, proved)
        for index, (anchor, group) in enumerate(sorted(groups.items()))
    ]
    return Proof(format=PROOF_FORMAT, chain=CHAIN_TEXT, events=proved, segments=segments)
