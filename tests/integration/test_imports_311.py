"""A generic-311 export (NYC 311 column names) whose profile judges on time by the source's due
date: each request's verdict in the appeal's state is the source's own, closed <= due."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta

from domain.appeals.application import AppealsApplication
from domain.appeals.events import AppealRegistered, DeadlineSetBySource
from infra.intake.importer import Importer
from infra.intake.profile import load_profile
from infra.intake.reading import read_export

NYC = "%m/%d/%Y %I:%M:%S %p"
CHANNELS = ("PHONE", "ONLINE", "MOBILE", "UNKNOWN")


def sample(prefix: str) -> list[dict[str, str]]:
    """20 closed requests: due 1–9 days after creation, closed before, at or after the due
    moment (one second either side of it included)."""
    rows = []
    start = datetime(2025, 5, 5, 8, 30)
    closing = [-86400, -1, 0, 1, 3600, 86400 * 3, -3600 * 5, 60, -60, 0]
    for i in range(20):
        created = start + timedelta(hours=13 * i)
        due = created + timedelta(days=1 + i % 9)
        closed = due + timedelta(seconds=closing[i % len(closing)])
        rows.append(
            {
                "Unique Key": f"{prefix}{i}",
                "Created Date": created.strftime(NYC),
                "Closed Date": closed.strftime(NYC),
                "Due Date": due.strftime(NYC),
                "Status": "Closed",
                "Agency": "ЖКХ",
                "Complaint Type": "Вывоз ТКО",
                "Descriptor": "Missed collection",
                "Open Data Channel Type": CHANNELS[i % 4],
                "Resolution Description": "The Department collected the material.",
                "Incident Address": f"{100 + i} MAIN STREET",
                "Latitude": "40.7128",
                "Longitude": "-74.0060",
            }
        )
    return rows


def test_each_requests_on_time_verdict_is_closed_at_or_before_its_due_date(
    app: AppealsApplication,
) -> None:
    rows = sample(f"N{uuid.uuid4().hex[:6]}-")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    importer = Importer(app, load_profile("generic-311"), now=datetime.now(UTC))
    summary = importer.run(read_export(out.getvalue().encode(), "csv"), "311.csv")
    assert (summary.received, summary.failed) == (20, 0), summary.errors
    verdicts = []
    for row in rows:
        record = app.recorder.find_idempotency("intake:311", row["Unique Key"])  # type: ignore[attr-defined]
        state = app.state(record.stream_id)
        assert state.first_answered_at is not None and state.answer_due is not None
        on_time = state.first_answered_at < state.answer_due
        expected = datetime.strptime(row["Closed Date"], NYC) <= datetime.strptime(
            row["Due Date"], NYC
        )
        verdicts.append((on_time, expected))
    assert all(ours == theirs for ours, theirs in verdicts)
    assert {v for v, _ in verdicts} == {True, False}  # both verdicts occur


def test_the_sources_deadline_is_recorded_beside_our_policys(app: AppealsApplication) -> None:
    rows = sample(f"M{uuid.uuid4().hex[:6]}-")[:1]
    data = "\n".join(json.dumps(r) for r in rows).encode()
    importer = Importer(app, load_profile("generic-311"), now=datetime.now(UTC))
    summary = importer.run(read_export(data, "jsonl"), "311.jsonl")
    assert summary.received == 1, summary.errors
    record = app.recorder.find_idempotency("intake:311", rows[0]["Unique Key"])  # type: ignore[attr-defined]
    events = app.events_of(record.stream_id)
    registered = next(e for e in events if isinstance(e, AppealRegistered))
    source = next(e for e in events if isinstance(e, DeadlineSetBySource))
    assert source.deadline_policy == "source:311" and source.governs
    assert registered.deadlines  # our policy's, with its provenance, stays in the log
    assert source.due == source.source_due + timedelta(microseconds=1)
    assert app.state(record.stream_id).answer_due == source.due
