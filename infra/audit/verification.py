"""Verification of the live database or an export file: the log against the ledger, its
checkpoints and the signed ones (``domain.audit.verify`` does the comparing)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.audit.chain import Checkpoint, SignedCheckpoint
from domain.audit.findings import Finding, Problem
from domain.audit.verify import Report, digested, verify
from infra.audit.digests import PARALLEL_FROM, log_digests
from infra.audit.export_format import read_export
from infra.audit.keys import signature_valid
from infra.audit.snapshot import (
    identify,
    ledger_rows,
    ledger_state,
    recorded_as,
    signed_in_log,
    snapshot,
)


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
