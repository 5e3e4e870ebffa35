"""Archive case files: parts, PDF text, offline verification, tampering named, period exports."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest
from pypdf import PdfReader

from domain.audit.chain import digest
from infra.archive.export import export_cases, safe_name
from infra.archive.pdf import find_font
from infra.archive.verify import CaseVerification, verify_case
from infra.archive.wiring import archiver
from infra.audit.keys import generate_keys
from infra.container import Container
from infra.database import ConnectionInfo
from tests.support.archive import (
    ADDRESS,
    ANSWER,
    SCAN,
    answered_and_closed,
    flip_a_byte,
    letters_appeal,
    rewritten,
    signing_keys,
)
from tests.support.outbox import outbox_container, outbox_database, settle

pytestmark = pytest.mark.integration


@dataclass
class Archive:
    container: Container
    info: ConnectionInfo
    keys: Path
    appeal_id: UUID
    number: str
    zip: Path


@pytest.fixture(scope="module")
def archive(
    db_server: ConnectionInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Archive]:
    folder = tmp_path_factory.mktemp("archive")
    with (
        outbox_database(db_server) as info,
        outbox_container(
            info, OTKLIK_DATA_DIR=str(folder / "data"), OTKLIK_ATTACHMENTS_DIR=str(folder / "files")
        ) as container,
    ):
        appeal_id = letters_appeal(container)
        answered_and_closed(container, appeal_id)
        generate_keys(folder / "keys")
        private, _public = signing_keys(folder / "keys")
        done = export_cases(
            archiver(container, find_font()), folder / "out", appeal=appeal_id, key=private
        )
        assert [r.problem for r in done] == [None]
        number = container.appeals.state(appeal_id).registration_number
        assert number is not None and done[0].path is not None
        yield Archive(container, info, folder / "keys", appeal_id, number, done[0].path)


def test_the_case_file_is_named_by_its_registration_number_and_holds_every_part(
    archive: Archive,
) -> None:
    assert archive.zip.name == f"{safe_name(archive.number, archive.appeal_id)}.zip"
    assert archive.number.startswith("О-") and archive.zip.name.startswith("O-")
    names = zipfile.ZipFile(archive.zip).namelist()
    scan = hashlib.sha256(SCAN).hexdigest()
    for part in ("history.json", "history.pdf", "proof.json", "manifest.json", "manifest.sig"):
        assert part in names
    assert f"attachments/{scan}.pdf" in names
    assert zipfile.ZipFile(archive.zip).read(f"attachments/{scan}.pdf") == SCAN
    assert "answer/answer.txt" in names
    answers = [n for n in names if n.startswith("answer/") and n.endswith("-answer.txt")]
    letters = [n for n in names if n.endswith(".docx")]
    notices = [n for n in names if n.startswith("notices/")]
    assert len(answers) == 1 and ANSWER in zipfile.ZipFile(archive.zip).read(answers[0]).decode()
    assert any("extension_notice" in n for n in notices)
    assert len(letters) >= 2  # the extension notice's and the answer's printable letters


def test_history_json_holds_every_event_of_the_case_as_stored_and_as_read(archive: Archive) -> None:
    history = json.loads(zipfile.ZipFile(archive.zip).read("history.json"))
    events = history["events"]
    own = [e for e in events if e["stream_id"] == str(archive.appeal_id)]
    assert [e["version"] for e in own] == list(range(1, len(own) + 1))
    assert len(own) == len(archive.container.appeals.history(archive.appeal_id))
    kinds = {e["type"] for e in events}
    assert {"AppealReceived", "AttachmentAdded", "MessageQueued", "MessagePrinted"} <= kinds
    assert {"AnswerDelivered", "AppealClosed"} <= kinds
    reads = [e for e in events if e["type"] == "PersonalDataRead"]
    assert [e["stream"] for e in reads] == ["personal_data_reads"]
    assert reads[0]["data"]["fields"] == ["postal_address"]
    assert [e["position"] for e in events] == sorted(e["position"] for e in events)
    with psycopg.connect(archive.info.conninfo) as conn:
        for e in events:
            row = conn.execute(
                "SELECT state FROM otklik_events WHERE notification_id = %s", (e["position"],)
            ).fetchone()
            assert row is not None and base64.b64decode(e["stored_b64"]) == bytes(row[0])
            ledger = conn.execute(
                "SELECT digest FROM audit_ledger WHERE position = %s", (e["position"],)
            ).fetchone()
            assert ledger is not None and bytes(ledger[0]).hex() == e["digest"]
    received = next(e for e in events if e["type"] == "AppealReceived")
    assert received["data"]["citizen"]["postal_address"] == ADDRESS  # read through the codec
    for e in events:
        assert {"actor_name", "role", "occurred_at", "recorded_at", "topic"} <= e.keys()


def test_the_pdf_tells_the_case_in_russian_with_an_embedded_cyrillic_font(archive: Archive) -> None:
    content = zipfile.ZipFile(archive.zip).read("history.pdf")
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    for phrase in (
        f"Дело по обращению № {archive.number}",
        "Обращение зарегистрировано",
        "Назначен исполнитель",
        "Срок рассмотрения продлён",
        "Приложен файл",
        "Обращение закрыто",
        "дан ответ по существу",
        "Сроки и их основания",
        "политика federal/1",
        "уведомление о продлении срока",
        f"скан, application/pdf, {len(SCAN)} байт: attachments/",
    ):
        assert phrase in flat, phrase
    assert " ".join(ANSWER.split()) in flat
    resources: list[Any] = [page["/Resources"] for page in reader.pages]
    fonts = {str(f["/BaseFont"]) for r in resources for f in r["/Font"].values()}
    assert any("DejaVuSans" in name for name in fonts), fonts


def test_the_proof_carries_each_event_to_a_signed_checkpoint_with_digests_only(
    archive: Archive,
) -> None:
    proof = json.loads(zipfile.ZipFile(archive.zip).read("proof.json"))
    history = json.loads(zipfile.ZipFile(archive.zip).read("history.json"))
    assert {p["position"] for p in proof["events"]} == {e["position"] for e in history["events"]}
    head = archive.container.audit_ledger.head()
    last = proof["segments"][-1]
    assert (
        last["checkpoint"]["checkpoint"]["link"] == head.link
        or head.position > (last["checkpoint"]["checkpoint"]["position"])
    )
    for segment in proof["segments"]:
        for entry in segment["entries"]:
            assert len(entry) == 2 and len(entry[1]) == 64  # a position and a digest, no content


def _verified(path: Path, keys: Path) -> CaseVerification:
    return verify_case(path, signing_keys(keys)[1])


def test_an_untouched_case_file_verifies_offline_and_through_the_cli(archive: Archive) -> None:
    result = _verified(archive.zip, archive.keys)
    assert result.ok, result.problems
    assert result.signatures_valid == 1 + result.segments and result.signatures_unchecked == 0
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # no database at all
    env["DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/none"
    done = subprocess.run(
        [sys.executable, "-m", "infra.cli", "audit", "verify", "--case", str(archive.zip),
         "--public-key", str(archive.keys / "otklik-audit.pub")],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "INTACT" in done.stdout


def _history_with(archive: Archive, edit: Any) -> bytes:
    history = json.loads(zipfile.ZipFile(archive.zip).read("history.json"))
    edit(history)
    return json.dumps(history).encode()


@pytest.mark.parametrize("forged_manifest", [False, True])
def test_one_changed_byte_of_an_event_is_named_even_with_the_manifestrewritten(
    archive: Archive, tmp_path: Path, forged_manifest: bool
) -> None:
    changed = {"history.json": _history_with(archive, flip_a_byte)}
    copy = rewritten(archive.zip, tmp_path / "case.zip", changed, forged_manifest)
    result = _verified(copy, archive.keys)
    assert not result.ok
    found = " | ".join(result.problems)
    assert "(AppealAssigned" in found and "do not give the digest the chain holds" in found
    assert ("history.json: altered" in found) is not forged_manifest


def test_an_event_altered_with_its_proof_rewritten_to_match_no_longer_reaches_the_signed_link(
    archive: Archive, tmp_path: Path
) -> None:
    history = json.loads(_history_with(archive, flip_a_byte))
    proof = json.loads(zipfile.ZipFile(archive.zip).read("proof.json"))
    event = next(e for e in history["events"] if e["type"] == "AppealAssigned")
    forged = digest(
        UUID(event["stream_id"]), event["version"], event["topic"],
        base64.b64decode(event["stored_b64"]),
    ).hex()  # fmt: skip
    event["digest"] = forged
    for proved in proof["events"]:
        if proved["position"] == event["position"]:
            proved["digest"] = forged
    for segment in proof["segments"]:
        segment["entries"] = [
            [p, forged if p == event["position"] else d] for p, d in segment["entries"]
        ]
    changed = {
        "history.json": json.dumps(history).encode(),
        "proof.json": json.dumps(proof).encode(),
    }
    result = _verified(rewritten(archive.zip, tmp_path / "c.zip", changed, True), archive.keys)
    found = " | ".join(result.problems)
    assert f"the links stated for position {event['position']} are not the chain's" in found
    assert "the chain does not reach the signed checkpoint's link" in found


def test_a_changed_attachment_or_pdf_is_named(archive: Archive, tmp_path: Path) -> None:
    names = zipfile.ZipFile(archive.zip).namelist()
    scan = next(n for n in names if n.startswith("attachments/"))
    pdf = bytearray(zipfile.ZipFile(archive.zip).read("history.pdf"))
    pdf[len(pdf) // 2] ^= 0x01
    changed = {scan: SCAN.replace(b"scanned", b"scanneD"), "history.pdf": bytes(pdf)}
    result = _verified(rewritten(archive.zip, tmp_path / "c.zip", changed, False), archive.keys)
    assert sorted(result.problems) == sorted(
        [f"{scan}: altered (its SHA-256 differs from the manifest's)",
         "history.pdf: altered (its SHA-256 differs from the manifest's)"]
    )  # fmt: skip


def test_a_dropped_event_is_named(archive: Archive, tmp_path: Path) -> None:
    def drop(history: dict[str, Any]) -> None:
        history["events"] = [e for e in history["events"] if e["type"] != "AppealCategorised"]

    changed = {"history.json": _history_with(archive, drop)}
    result = _verified(rewritten(archive.zip, tmp_path / "c.zip", changed, True), archive.keys)
    found = " | ".join(result.problems)
    assert "in the proof, missing from history.json" in found
    assert "the appeal's versions are not 1..n without gaps" in found


def test_a_forged_checkpoint_is_refused(archive: Archive, tmp_path: Path) -> None:
    proof = json.loads(zipfile.ZipFile(archive.zip).read("proof.json"))
    segment = proof["segments"][-1]
    segment["checkpoint"]["checkpoint"]["events"] += 1
    changed = {"proof.json": json.dumps(proof).encode()}
    result = _verified(rewritten(archive.zip, tmp_path / "c.zip", changed, True), archive.keys)
    found = " | ".join(result.problems)
    assert "the checkpoint's signature does not verify" in found
    assert "the chain does not reach the signed checkpoint's link" in found
    with pytest.raises(ValueError, match="not a ZIP"):
        verify_case(tmp_path / "c.zip.missing")


def test_a_case_not_yet_in_the_ledger_or_past_every_signed_checkpoint_is_not_written(
    archive: Archive, tmp_path: Path
) -> None:
    container = archive.container
    private, _public = signing_keys(archive.keys)
    fresh = letters_appeal(container)  # the ledger has not seen it yet
    done = export_cases(archiver(container, find_font()), tmp_path, appeal=fresh, key=private)
    assert done[0].path is None and "has not recorded position" in str(done[0].problem)
    settle(container)  # now it has, but no checkpoint was signed after it
    done = export_cases(archiver(container, find_font()), tmp_path, appeal=fresh)
    assert done[0].path is None and "no signed checkpoint covers position" in str(done[0].problem)
    assert list(tmp_path.iterdir()) == []


def test_a_period_export_writes_one_case_file_per_appeal_closed_in_it(
    archive: Archive, tmp_path: Path
) -> None:
    container = archive.container
    other = letters_appeal(container, "Яма на дороге у школы")
    answered_and_closed(container, other)
    letters_appeal(container, "Не вывезен мусор")  # open: not in the archive yet
    settle(container)
    today = datetime.now(ZoneInfo(container.settings.timezone)).date().isoformat()
    env = {**os.environ, "DATABASE_URL": archive.info.url(), "OTKLIK_DATA_DIR": str(tmp_path)}
    env["OTKLIK_POOL_SIZE"] = "2"  # the shared test server has connections for everyone
    done = subprocess.run(
        [sys.executable, "-m", "infra.cli", "archive", "export", "--from", today, "--to", today,
         "-o", str(tmp_path / "out"), "--key", str(archive.keys / "otklik-audit.key")],
        capture_output=True, text=True, env=env, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    numbers = [container.appeals.state(i).registration_number for i in (archive.appeal_id, other)]
    assert written == sorted(f"{safe_name(n, archive.appeal_id)}.zip" for n in numbers)
    for path in (tmp_path / "out").iterdir():
        assert _verified(path, archive.keys).ok
