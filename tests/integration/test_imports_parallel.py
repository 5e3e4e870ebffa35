"""A large import's worker processes (``infra.intake.parallel``, two workers on a small file):
every row imported once whichever worker took it, the broken rows reported with their file's
numbers in order, the summaries merged, and a second run appending nothing."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from domain.appeals.application import AppealsApplication
from infra.database import ConnectionInfo
from infra.demo.pos_export import pos_rows, to_csv
from infra.intake.parallel import Job, run_in_workers, share
from infra.intake.profile import load_profile

START = datetime(2025, 3, 3, 9, 0)


def job(db: ConnectionInfo, path: Path) -> Job:
    return Job(
        env=dict(os.environ) | {"DATABASE_URL": db.url(), "OTKLIK_LOG_LEVEL": "warning"},
        info=db,
        profile=load_profile("pos"),
        path=path,
        fmt="csv",
        file=path.name,
        now=datetime.now(UTC),
        dry_run=False,
        workers=2,
    )


def test_two_workers_import_every_row_once_and_report_the_broken_ones_in_order(
    app: AppealsApplication,
    db: ConnectionInfo,
    sql: psycopg.Connection[tuple[object, ...]],
    tmp_path: Path,
) -> None:
    prefix = f"W{uuid.uuid4().hex[:6]}"
    rows = pos_rows(prefix, 40, START)
    assert {share(r, "Номер сообщения", 2) for r in rows} == {0, 1}  # both workers have rows
    rows[5]["Дата поступления"] = "31.02.2025 10:00"  # no such day
    rows[30]["Статус"] = "Потеряно"
    path = tmp_path / "pos.csv"
    path.write_bytes(to_csv(rows))
    seen: list[int] = []
    first = run_in_workers(job(db, path), seen.append)
    assert (first.rows, first.received, first.failed) == (40, 38, 2)
    assert sum(seen) == 40  # the progress of both workers
    assert [(e.row, e.column) for e in first.errors] == [(7, "Дата поступления"), (32, "Статус")]
    appeals = sql.execute(
        "SELECT count(*) FROM idempotency_keys WHERE principal = 'intake:pos' AND key LIKE %s",
        (f"{prefix}%",),
    ).fetchone()
    assert appeals == (38,)
    (before,) = sql.execute("SELECT count(*) FROM otklik_events").fetchone() or (0,)
    assert first.events > 0
    second = run_in_workers(job(db, path), None)
    assert (second.received, second.unchanged, second.events) == (0, 38, 0)
    assert sql.execute("SELECT count(*) FROM otklik_events").fetchone() == (before,)
