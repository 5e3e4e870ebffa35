"""Audit: the ledger and its hash chain, verification of the database and of an export (clean,
then tampered with as a superuser would: one byte changed, one event deleted, two swapped, the
ledger rewritten to match), signed checkpoints, as-of agreeing with the history, and the
personal-data access log."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import psycopg
import pytest

from domain.appeals import commands as cmd
from domain.audit.chain import Checkpoint, digest
from domain.audit.findings import Problem
from domain.audit.history import replay
from domain.audit.verify import Report
from infra.audit.export import export
from infra.audit.keys import generate_keys, key_id, load_private, load_public, sign
from infra.audit.verification import read_published, verify_database, verify_file
from infra.container import Container
from infra.database import ConnectionInfo
from infra.demo.synthetic import LONG_LIFE_RECEIPT, long_life
from projections.audit_ledger import CHECKPOINT_EVERY
from tests.conftest import own_database
from tests.support.appeals import CURATOR, OPERATOR, receive

pytestmark = pytest.mark.integration


def make_long_appeal(container: Container) -> uuid.UUID:
    app = container.appeals
    appeal_id = app.receive(LONG_LIFE_RECEIPT, actor=CURATOR, idempotency=None).state.id
    for command in long_life():
        app.handle(appeal_id, command, actor=CURATOR)
    return appeal_id


@pytest.fixture(scope="module")
def audit_db(db_server: ConnectionInfo) -> Iterator[tuple[Container, ConnectionInfo]]:
    """A database of its own (the tampering must not reach the other tests' log): 40 short
    appeals and 3 long ones, the ledger caught up."""
    with own_database(db_server, "audit") as (container, info):
        for _ in range(40):
            r = container.appeals.receive(receive(), actor=OPERATOR, idempotency=None)
            container.appeals.handle(r.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
        for _ in range(3):
            make_long_appeal(container)
        container.engine.catch_up_all()
        yield container, info


def superuser(info: ConnectionInfo) -> psycopg.Connection[Any]:
    """A superuser's session with the triggers that guard the log switched off."""
    conn = psycopg.connect(info.conninfo, autocommit=True)
    conn.execute("SET session_replication_role = replica")
    return conn


def rows(info: ConnectionInfo, *positions: int) -> list[tuple[Any, ...]]:
    with psycopg.connect(info.conninfo) as conn:
        return conn.execute(
            "SELECT notification_id, originator_id, originator_version, topic, state"
            " FROM otklik_events WHERE notification_id = ANY(%s) ORDER BY notification_id",
            (list(positions),),
        ).fetchall()


def log_size(info: ConnectionInfo) -> int:
    with psycopg.connect(info.conninfo) as conn:
        row = conn.execute("SELECT count(*) FROM otklik_events").fetchone()
    assert row is not None
    return int(row[0])


def pick(info: ConnectionInfo, n: int) -> list[tuple[Any, ...]]:
    """``n`` events from the middle of the log, in position order."""
    with psycopg.connect(info.conninfo) as conn:
        return conn.execute(
            "SELECT notification_id, originator_id, originator_version, topic, state"
            " FROM otklik_events WHERE topic LIKE 'Appeal%%' ORDER BY notification_id"
            " OFFSET 50 LIMIT %s",
            (n,),
        ).fetchall()


def problems(report: Report) -> list[tuple[int, Problem]]:
    return [(f.position, f.problem) for f in report.findings if f.problem is not Problem.CHECKPOINT]


def test_an_untouched_log_verifies_clean_in_the_database_and_in_an_export(
    audit_db: tuple[Container, ConnectionInfo], tmp_path: Path
) -> None:
    container, info = audit_db
    result = verify_database(info.conninfo)
    report = result.report
    assert report.ok, report.findings
    parallel = verify_database(info.conninfo, workers=2, parallel_from=0).report
    assert parallel.ok and parallel.head_link == report.head_link
    assert report.events == report.ledger_events == log_size(info)
    assert report.pending == 0
    assert report.head_link == container.audit_ledger.head().link
    target = tmp_path / "export.jsonl.gz"
    count, _state = export(info.conninfo, target)
    assert count == report.events
    again = verify_file(target)
    assert again.report.ok, again.report.findings
    assert again.report.head_link == report.head_link


def test_the_chain_is_the_documented_computation() -> None:
    """Recomputed by hand from the definition in domain/audit/chain.py."""
    import hashlib

    originator = uuid.UUID("12345678-1234-5678-1234-567812345678")
    expected = hashlib.sha256(
        originator.bytes + (3).to_bytes(8, "big") + (4).to_bytes(4, "big") + b"Test" + b"{}"
    ).digest()
    assert digest(originator, 3, "Test", b"{}") == expected


def test_the_ledger_rebuilt_from_the_same_log_is_identical(
    audit_db: tuple[Container, ConnectionInfo],
) -> None:
    container, _info = audit_db
    engine = container.engine
    live = engine.active("audit_ledger")
    assert live is not None
    builds, _ = engine.rebuild(["audit_ledger"], resume=False)
    assert engine.checksums(builds[0]) == engine.checksums(live)


def test_one_changed_byte_is_found_and_named(audit_db: tuple[Container, ConnectionInfo]) -> None:
    _container, info = audit_db
    position, originator, version, topic, state = pick(info, 1)[0]
    changed = bytearray(state)
    changed[len(changed) // 2] ^= 0x01
    with superuser(info) as su:
        su.execute(
            "UPDATE otklik_events SET state = %s WHERE notification_id = %s",
            (bytes(changed), position),
        )
    try:
        report = verify_database(info.conninfo).report
        assert problems(report) == [(position, Problem.ALTERED)]
        # the digest workers (other processes) find the same
        parallel = verify_database(info.conninfo, workers=2, parallel_from=0).report
        assert parallel.findings == report.findings
        first = report.first
        assert first is not None and first.position == position
        assert (first.aggregate_id, first.version, first.topic) == (originator, version, topic)
        assert "bytes were changed" in first.detail
        # the CLI, as an auditor runs it: exit status 1 and the position named
        run = subprocess.run(
            [sys.executable, "-m", "infra.cli", "audit", "verify"],
            env={**os.environ, "DATABASE_URL": info.url(), "OTKLIK_LOG_LEVEL": "warning"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 1, run.stdout + run.stderr
        assert f"breaks first at position {position:,}" in run.stdout
        assert str(originator) in run.stdout
    finally:
        with superuser(info) as su:
            su.execute(
                "UPDATE otklik_events SET state = %s WHERE notification_id = %s", (state, position)
            )
    assert verify_database(info.conninfo).report.ok


def test_a_deleted_event_is_found_and_named(audit_db: tuple[Container, ConnectionInfo]) -> None:
    _container, info = audit_db
    original = pick(info, 1)[0]
    position, originator, version, topic, _state = original
    with superuser(info) as su:
        su.execute("DELETE FROM otklik_events WHERE notification_id = %s", (position,))
    try:
        report = verify_database(info.conninfo).report
        assert problems(report) == [(position, Problem.DELETED)]
        first = report.first
        assert first is not None
        assert (first.aggregate_id, first.version, first.topic) == (originator, version, topic)
    finally:
        with superuser(info) as su:
            su.execute(
                "INSERT INTO otklik_events (notification_id, originator_id, originator_version,"
                " topic, state) VALUES (%s, %s, %s, %s, %s)",
                original,
            )
    assert verify_database(info.conninfo).report.ok


def test_two_swapped_events_are_found_and_named(audit_db: tuple[Container, ConnectionInfo]) -> None:
    _container, info = audit_db
    first_row, _, second_row = pick(info, 3)
    a, b = first_row[0], second_row[0]

    def swap() -> None:
        with superuser(info) as su, su.transaction():
            su.execute(
                "UPDATE otklik_events SET notification_id = -1 WHERE notification_id = %s", (a,)
            )
            su.execute(
                "UPDATE otklik_events SET notification_id = %s WHERE notification_id = %s", (a, b)
            )
            su.execute(
                "UPDATE otklik_events SET notification_id = %s WHERE notification_id = -1", (b,)
            )

    swap()
    try:
        report = verify_database(info.conninfo).report
        assert problems(report) == [(a, Problem.MOVED), (b, Problem.MOVED)]
        parallel = verify_database(info.conninfo, workers=3, parallel_from=0).report
        assert parallel.findings == report.findings
        moved = {f.position: f for f in report.findings}
        assert f"now at position {b}" in moved[a].detail
        assert f"now at position {a}" in moved[b].detail
        assert moved[a].aggregate_id == first_row[1]
    finally:
        swap()
    assert verify_database(info.conninfo).report.ok


def test_a_rewritten_ledger_is_caught_by_a_signed_checkpoint(
    audit_db: tuple[Container, ConnectionInfo], tmp_path: Path
) -> None:
    """Someone with superuser rights changes an event and rewrites the ledger (digest, chain
    head) to match: the database alone then looks consistent, the published checkpoint does
    not."""
    container, info = audit_db
    secret, public = generate_keys(tmp_path)
    head = container.audit_ledger.head()
    signed = sign(
        Checkpoint(position=head.position, events=head.events, link=head.link),
        load_private(secret),
    )
    published = tmp_path / "published.jsonl"
    published.write_bytes(msgspec.json.encode(signed) + b"\n")
    keys = {key_id(load_public(public)): load_public(public)}
    clean = verify_database(info.conninfo, published=read_published(published), keys=keys)
    assert clean.report.ok and clean.signatures_valid == 1
    position, originator, version, topic, state = pick(info, 1)[0]
    forged = state.replace(b'"text"', b'"text" ', 1) if b'"text"' in state else state + b" "
    with superuser(info) as su:
        su.execute(
            "UPDATE otklik_events SET state = %s WHERE notification_id = %s", (forged, position)
        )
        su.execute(
            "UPDATE audit_ledger SET digest = %s WHERE position = %s",
            (digest(originator, version, topic, forged), position),
        )
    relinked = verify_database(info.conninfo).report.head_link
    with superuser(info) as su:
        old_head = su.execute("SELECT link FROM audit_head").fetchone()
        su.execute("UPDATE audit_head SET link = %s", (bytes.fromhex(relinked),))
        su.execute("DELETE FROM audit_checkpoints WHERE position >= %s", (position,))
    try:
        alone = verify_database(info.conninfo).report
        assert alone.ok  # the database agrees with itself …
        caught = verify_database(
            info.conninfo, published=read_published(published), keys=keys
        ).report
        assert [f.problem for f in caught.findings] == [Problem.CHECKPOINT]  # … not with it
        assert caught.findings[0].position == head.position
        tampered_key = {**keys}
        bad = msgspec.structs.replace(signed, signature="00" * 64)
        refused = verify_database(info.conninfo, published=[bad], keys=tampered_key)
        assert "does not verify" in refused.report.findings[0].detail
    finally:
        assert old_head is not None
        with superuser(info) as su:
            su.execute(
                "UPDATE otklik_events SET state = %s WHERE notification_id = %s", (state, position)
            )
            su.execute(
                "UPDATE audit_ledger SET digest = %s WHERE position = %s",
                (digest(originator, version, topic, state), position),
            )
            su.execute("UPDATE audit_head SET link = %s", (old_head[0],))
    assert log_size(info) < CHECKPOINT_EVERY  # no ledger checkpoint was deleted above


def test_an_altered_export_is_found_offline(
    audit_db: tuple[Container, ConnectionInfo], tmp_path: Path
) -> None:
    _container, info = audit_db
    target = tmp_path / "export.jsonl.gz"
    export(info.conninfo, target)
    import gzip

    lines = gzip.decompress(target.read_bytes()).splitlines()
    victim = next(i for i, line in enumerate(lines) if b'"AppealAssigned' in line)
    position = msgspec.json.decode(lines[victim])["position"]
    lines[victim] = lines[victim].replace("Управление ЖКХ".encode(), "Управление культуры".encode())
    altered = tmp_path / "altered.jsonl.gz"
    altered.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    report = verify_file(altered).report
    assert problems(report) == [(position, Problem.ALTERED)]


def test_as_of_agrees_with_the_history_at_every_step(
    audit_db: tuple[Container, ConnectionInfo],
) -> None:
    container, _info = audit_db
    appeal_id = make_long_appeal(container)
    recorded = container.appeals.history(appeal_id)
    steps = replay([(r.position, r.event) for r in recorded])
    assert len(steps) == 30
    for step in steps:
        state, last = container.appeals.as_of(appeal_id, step.recorded_at)
        assert (last.position, state.version) == (step.position, step.version)
        now = msgspec.to_builtins(state)
        for change in step.changes:
            assert now[change.field] == change.after, (step.type, change.field)
        assert state == container.appeals.state(appeal_id, version=step.version)
    with pytest.raises(Exception, match="had not been received"):
        container.appeals.as_of(appeal_id, datetime(2020, 1, 1, tzinfo=UTC))


def test_personal_data_reads_are_recorded_even_when_simultaneous(
    audit_db: tuple[Container, ConnectionInfo],
) -> None:
    container, _info = audit_db
    appeal_id = container.appeals.receive(receive(), actor=OPERATOR, idempotency=None).state.id
    readers = [
        threading.Thread(
            target=container.audit.personal_data_read,
            args=(appeal_id,),
            kwargs={"actor": OPERATOR, "route": "test", "fields": ("full_name", "phone")},
        )
        for _ in range(4)
    ]
    for t in readers:
        t.start()
    for t in readers:
        t.join()
    container.engine.catch_up_all()
    page = container.personal_data_reads.list(appeal_id=appeal_id)
    assert len(page.items) == 4
    assert {(i.actor_id, i.actor_role, tuple(i.fields)) for i in page.items} == {
        (OPERATOR.id, "operator", ("full_name", "phone"))
    }
    assert verify_database(_info.conninfo).report.ok


def otklik(info: ConnectionInfo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra.cli", *args],
        env={**os.environ, "DATABASE_URL": info.url(), "OTKLIK_LOG_LEVEL": "warning"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_line_replays_exports_signs_and_verifies(
    audit_db: tuple[Container, ConnectionInfo], tmp_path: Path
) -> None:
    """As an auditor uses it: a timeline, a key pair, a signed checkpoint kept outside the
    database, an export, and verification of both with the public key."""
    container, info = audit_db
    appeal_id = make_long_appeal(container)
    container.engine.catch_up_all()
    timeline = otklik(info, "audit", "replay", str(appeal_id))
    assert timeline.returncode == 0, timeline.stderr
    assert "AppealClosed" in timeline.stdout and "status:" in timeline.stdout
    assert timeline.stdout.count("AnswerDelivered") == 3
    keys = otklik(info, "audit", "keygen", "-o", str(tmp_path / "keys"))
    assert keys.returncode == 0, keys.stderr
    published = tmp_path / "published.jsonl"
    signed = otklik(
        info,
        "audit",
        "checkpoint",
        "--key",
        str(tmp_path / "keys" / "otklik-audit.key"),
        "--append-to",
        str(published),
    )
    assert signed.returncode == 0, signed.stderr
    assert published.read_text() == signed.stdout
    export = tmp_path / "log.jsonl.gz"
    exported = otklik(info, "audit", "export", "-o", str(export))
    assert exported.returncode == 0, exported.stderr
    public = str(tmp_path / "keys" / "otklik-audit.pub")
    for where in ([], ["--file", str(export)]):
        checked = otklik(
            info, "audit", "verify", *where, "--checkpoints", str(published), "--public-key", public
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "INTACT" in checked.stdout
        assert "2 signatures valid" in checked.stdout  # in the log (and the file) and published
