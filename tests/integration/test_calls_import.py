"""The hotline's calls feed (issue 16): each call a CALL appeal with its recording as an
attachment; a second import appends nothing; broken rows are reported and the rest imported."""

from __future__ import annotations

import hashlib
import io
import json
import wave
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest

from domain.appeals.application import AppealsApplication
from domain.appeals.events import AppealReceived, AttachmentAdded
from domain.appeals.vocabulary import Channel, Kind
from domain.attachments.service import AttachmentService
from infra.attachments import FolderStore
from infra.calls.feed import RowError
from infra.calls.importer import CallsImporter
from tests.conftest import event_count

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]
PHONE = "+7 912 000-11-22"


def recording(seconds: float = 0.1) -> bytes:
    """A real WAV (silence), made here."""
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * int(8000 * seconds))
    return out.getvalue()


@pytest.fixture
def importer(app: AppealsApplication, tmp_path: Path) -> CallsImporter:
    store = FolderStore(tmp_path / "store", max_bytes=1024 * 1024)
    return CallsImporter(AttachmentService(app, store))


def feed(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    path = tmp_path / "calls.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    return path


def a_call(**fields: object) -> dict[str, object]:
    return {
        "call_id": f"call-{uuid4().hex[:10]}",
        "time": "2026-03-02T09:15:00+03:00",
        "caller": PHONE,
        "duration_seconds": 95,
        "summary": "Не вывозят мусор с контейнерной площадки",
        **fields,
    }


def test_a_call_becomes_a_call_appeal_with_its_recording_and_a_second_import_appends_nothing(
    importer: CallsImporter, app: AppealsApplication, tmp_path: Path, sql: Conn
) -> None:
    sound = recording()
    (tmp_path / "rec").mkdir()
    (tmp_path / "rec" / "a.wav").write_bytes(sound)
    call = a_call(recording="rec/a.wav", channel="voice_message")
    path = feed(tmp_path, [call, a_call()])
    done = importer.run(path)
    assert (done.rows, done.received, done.recordings, done.errors) == (2, 2, 1, [])
    row = sql.execute(
        "SELECT originator_id FROM otklik_events WHERE topic LIKE 'AttachmentAdded%'"
        " ORDER BY notification_id DESC LIMIT 1"
    ).fetchone()
    assert row is not None
    received, added = app.events_of(row[0])  # type: ignore[arg-type]
    assert isinstance(received, AppealReceived) and isinstance(added, AttachmentAdded)
    assert (received.kind, received.channel, received.external_id) == (
        Kind.CALL,
        Channel.VOICE_MESSAGE,
        call["call_id"],
    )
    assert received.citizen is not None and received.citizen.phone == PHONE
    assert received.actor.id == "intake:voice_message"
    assert (added.sha256, added.media_type, added.kind) == (
        hashlib.sha256(sound).hexdigest(),
        "audio/x-wav",
        "recording",
    )
    before = event_count(sql)
    again = importer.run(path)
    assert (again.received, again.replayed, again.recordings, again.errors) == (0, 2, 0, [])
    assert event_count(sql) == before


def test_broken_rows_are_reported_by_row_column_and_rule_and_the_rest_imported(
    importer: CallsImporter, tmp_path: Path, sql: Conn
) -> None:
    (tmp_path / "note.wav").write_bytes(b"not a sound at all")
    rows = [
        a_call(),
        a_call(time="2026-03-02 09:15"),  # no zone
        a_call(caller="позвоните Ивану"),
        a_call(summary=""),
        a_call(recording="../secret.wav"),
        a_call(recording="note.wav"),
        a_call(duration_seconds=-5),
        a_call(channel="telegram"),
        a_call(),
    ]
    path = feed(tmp_path, rows)
    before = event_count(sql)
    done = importer.run(path)
    assert done.received == 2
    assert [(e.row, e.column) for e in done.errors] == [
        (2, "time"),
        (3, "caller"),
        (4, "summary"),
        (5, "recording"),
        (6, "recording"),
        (7, "duration_seconds"),
        (8, "channel"),
    ]
    assert all(isinstance(e, RowError) and PHONE not in str(e) for e in done.errors)
    assert "Ивану" not in " ".join(map(str, done.errors))  # never the value
    assert event_count(sql) == before + 2 * 1  # two receipts, nothing of the broken rows
    assert not list((tmp_path / "store" / ".staging").iterdir())


def test_a_call_imported_again_with_other_facts_is_reported_not_changed(
    importer: CallsImporter, tmp_path: Path
) -> None:
    call = a_call()
    importer.run(feed(tmp_path, [call]))
    changed = importer.run(feed(tmp_path, [{**call, "summary": "Другое"}]))
    assert [(e.row, e.column, e.rule) for e in changed.errors] == [
        (1, "call_id", "imported before with other facts")
    ]


def test_a_csv_feed_is_read_with_its_header(importer: CallsImporter, tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(
        "call_id,time,caller,duration_seconds,summary,recording\n"
        f"csv-{uuid4().hex[:8]},2026-03-02T10:00:00+03:00,{PHONE},30,Яма на дороге,\n"
        "csv-bad,yesterday,,30,Яма,\n",
        encoding="utf-8",
    )
    done = importer.run(path)
    assert done.received == 1
    assert [(e.row, e.column) for e in done.errors] == [(3, "time")]
