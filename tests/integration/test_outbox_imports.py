"""An imported history sends nothing: its answers, registrations and notices happened at the
source, which told the citizen long ago; only the acts done here reach the citizen."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import psycopg

from infra.database import ConnectionInfo
from infra.demo.pos_export import pos_rows, to_csv
from infra.intake.importer import Importer
from infra.intake.profile import load_profile
from infra.intake.reading import read_export
from tests.support.outbox import answer, appeal_by_email, outbox_container, outbox_database, settle


def queued(info: ConnectionInfo) -> int:
    with psycopg.connect(info.conninfo) as conn:
        row = conn.execute(
            "SELECT count(*) FROM otklik_events WHERE topic LIKE '%MessageQueued%'"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_an_imported_history_queues_no_message_and_a_live_answer_does(
    db_server: ConnectionInfo,
) -> None:
    with outbox_database(db_server) as info, outbox_container(info) as container:
        rows = pos_rows(f"H{uuid.uuid4().hex[:6]}", 12, datetime(2025, 3, 3, 9, 0))
        for i, row in enumerate(rows):  # every one reachable by e-mail and by post
            row["Электронная почта"] = f"citizen{i}@example.ru"
        importer = Importer(container.appeals, load_profile("pos"), now=datetime.now(UTC))
        summary = importer.run(read_export(to_csv(rows), "csv"), "pos.csv")
        assert summary.received == 12 and summary.failed == 0, summary.errors
        settle(container)
        assert queued(info) == 0
        appeal = appeal_by_email(container.appeals, "live@example.ru")
        answer(container.appeals, appeal, "Ответ по существу.")
        settle(container)
        assert queued(info) >= 1  # the check can fail: a live answer is queued
