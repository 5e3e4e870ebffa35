"""Bulk imports through the ПОС profile on the real database: rows become their facts at the
source's times, a second run appends nothing, a changed row appends only its new facts, broken
rows are reported exactly and the rest imported."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import psycopg

from domain.appeals.application import AppealsApplication
from domain.appeals.vocabulary import Outcome, Status
from infra.demo.pos_export import pos_row, pos_rows, to_csv
from infra.intake.importer import Importer, Summary
from infra.intake.profile import load_profile
from infra.intake.reading import read_export
from infra.intake.report import errors_csv

START = datetime(2025, 3, 3, 9, 0)


def run(app: AppealsApplication, data: bytes, *, dry_run: bool = False) -> Summary:
    importer = Importer(app, load_profile("pos"), now=datetime.now(UTC), dry_run=dry_run, chunk=7)
    return importer.run(read_export(data, "csv"), "pos.csv")


def events_total(sql: psycopg.Connection[tuple[object, ...]]) -> int:
    row = sql.execute("SELECT count(*) FROM otklik_events").fetchone()
    assert row is not None
    count = row[0]
    assert isinstance(count, int)
    return count


def appeal_of(app: AppealsApplication, external_id: str):  # type: ignore[no-untyped-def]
    record = app.recorder.find_idempotency("intake:pos", external_id)  # type: ignore[attr-defined]
    assert record is not None
    return app.state(record.stream_id)


def test_a_closed_row_becomes_its_facts_at_the_sources_times(app: AppealsApplication) -> None:
    key = f"P{uuid.uuid4().hex[:8]}"
    summary = run(app, to_csv([pos_row(key, START, "closed")]))
    assert (summary.received, summary.failed) == (1, 0), summary.errors
    state = appeal_of(app, key)
    assert state.status is Status.CLOSED and state.outcome is Outcome.ANSWERED
    assert state.received_at == datetime(2025, 3, 3, 6, 0, tzinfo=UTC)  # Moscow is UTC+3
    assert state.assigned_at == datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
    assert state.first_answered_at == datetime(2025, 3, 6, 6, 0, tzinfo=UTC)
    assert state.closed_at == datetime(2025, 3, 6, 7, 0, tzinfo=UTC)
    assert state.department == "ugkh" and state.topic_code == "M.90"
    assert [type(e).__name__ for e in app.events_of(state.id)] == [
        "AppealReceived",
        "AppealCategorised",
        "AppealRegistered",
        "AppealAssigned",
        "AnswerGivenAtSource",  # one fact: the source answered; our approval is not claimed
        "AppealClosed",
    ]
    answered = state.answer_published_at
    assert answered == state.answer_delivered_at == datetime(2025, 3, 6, 6, 0, tzinfo=UTC)
    assert state.answer_text and state.satisfaction_score is None


def test_a_second_run_of_the_same_file_appends_nothing(
    app: AppealsApplication, sql: psycopg.Connection[tuple[object, ...]]
) -> None:
    data = to_csv(pos_rows(f"S{uuid.uuid4().hex[:6]}", 30, START))
    first = run(app, data)
    assert first.received == 30 and first.failed == 0, first.errors
    before = events_total(sql)
    second = run(app, data)
    assert (second.received, second.updated, second.unchanged, second.events) == (0, 0, 30, 0)
    assert events_total(sql) == before


def test_a_row_that_changed_appends_only_its_new_facts(
    app: AppealsApplication, sql: psycopg.Connection[tuple[object, ...]]
) -> None:
    key = f"C{uuid.uuid4().hex[:8]}"
    run(app, to_csv([pos_row(key, START, "assigned")]))
    before = events_total(sql)
    summary = run(app, to_csv([pos_row(key, START, "closed")]))
    assert (summary.updated, summary.events) == (1, 2)  # the source's answer, closed
    assert events_total(sql) == before + 2
    assert appeal_of(app, key).status is Status.CLOSED


def test_broken_rows_are_reported_exactly_and_the_rest_imported(
    app: AppealsApplication,
) -> None:
    prefix = f"B{uuid.uuid4().hex[:6]}"
    rows = pos_rows(prefix, 6, START)
    rows[1]["Дата поступления"] = "31.02.2025 10:00"  # no such day
    rows[2]["Ответственный"] = "Управление несуществующих дел"
    rows[2]["Статус"] = "Закрыто"
    rows[2]["Дата ответа"] = rows[2]["Дата закрытия"] = "07.03.2025 10:00"
    rows[3]["Статус"] = "Потеряно"
    rows[4]["Дата назначения"] = "01.03.2025 10:00"  # before the receipt
    rows[4]["Ответственный"] = "ugkh"
    summary = run(app, to_csv(rows))
    assert (summary.received, summary.failed) == (2, 4)
    assert errors_csv(summary) == (
        "file,row,column,rule\n"
        "pos.csv,3,Дата поступления,not a date and time in the profile's formats or ISO 8601\n"
        'pos.csv,4,Ответственный,"not a unit of the directory (by id, name or alias)"\n'
        "pos.csv,5,Статус,not one of the profile's statuses\n"
        "pos.csv,6,Дата назначения,out of order: before Дата регистрации\n"
    )
    assert "Иванова" not in errors_csv(summary)


def test_a_dry_run_decides_every_row_and_saves_nothing(
    app: AppealsApplication, sql: psycopg.Connection[tuple[object, ...]]
) -> None:
    before = events_total(sql)
    summary = run(app, to_csv(pos_rows(f"D{uuid.uuid4().hex[:6]}", 10, START)), dry_run=True)
    assert summary.received == 10 and summary.events > 0
    assert events_total(sql) == before


def test_a_row_another_import_saved_meanwhile_fails_alone_and_the_rest_is_saved(
    app: AppealsApplication, sql: psycopg.Connection[tuple[object, ...]]
) -> None:
    """The chunk's one COPY fails on the key another import took between deciding and saving:
    its rows are saved one by one, only that row fails (``TAKEN``), nothing is half-saved."""
    from infra.intake.importer import _chunks
    from infra.intake.writer import TAKEN, Writer

    rows = pos_rows(f"M{uuid.uuid4().hex[:6]}", 5, START)
    first = Importer(app, load_profile("pos"), now=datetime.now(UTC))
    summary = Summary(file="pos.csv", profile="pos", dry_run=False)
    (chunk,) = list(_chunks(read_export(to_csv(rows), "csv").rows, 100))
    batch = first._import_chunk(0, chunk, summary, None)  # decided, not saved yet
    assert run(app, to_csv(rows[2:3])).received == 1  # meanwhile another import saves row 4
    before = events_total(sql)
    writer = Writer(first.recorder)
    writer.put(batch)
    writer.close()
    assert [(f.row.number, f.rule) for f in writer.failures] == [(4, TAKEN)]
    saved = sum(len(r.stored) for r in batch.rows if r.number != 4)
    assert events_total(sql) == before + saved
    for row in rows:  # every row's appeal is in the log once, the contested one by the other
        assert appeal_of(app, row["Номер сообщения"]).received_at is not None
