"""Attachments through the real server (issue 16): upload, the type told from the bytes, refused
types and sizes that leave nothing, who may read a file, and every reading audited."""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import psycopg
import pytest

from domain.audit.events import AuditEvent, PersonalDataRead, access_stream
from infra.container import Container
from tests.api.conftest import ATTACHMENT_MAX_BYTES
from tests.api.test_appeals_api import act, assert_problem, auth, receive
from tests.conftest import event_count

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]


def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG (grey pixels), made here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def pdf(text: str = "Ответ") -> bytes:
    """A small real PDF, made here."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text.encode('unicode_escape').decode()}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def files_in(store: Path) -> set[Path]:
    """Every file of the store, staged ones included."""
    return {p for p in store.rglob("*") if p.is_file()}


def upload(
    client: httpx.Client,
    appeal_id: str,
    content: bytes,
    kind: str = "photo",
    content_type: str = "application/octet-stream",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return client.post(
        f"/api/v1/appeals/{appeal_id}/attachments",
        params={"kind": kind},
        content=content,
        headers={"Content-Type": content_type, **(headers or {})},
    )


@pytest.fixture
def assigned(client: httpx.Client) -> str:
    """An appeal of the test directory's «Управление ЖКХ» (ugkh)."""
    appeal_id: str = receive(client).json()["id"]
    assert act(client, appeal_id, "register").status_code == 200
    assert act(client, appeal_id, "assign", {"department": "ugkh"}).status_code == 200
    return appeal_id


def test_a_png_and_a_pdf_are_stored_under_their_hash_with_the_type_their_bytes_tell(
    client: httpx.Client, assigned: str, attachments_dir: Path
) -> None:
    photo, answer = png(), pdf()
    # the client claims a PDF is a JPEG: the bytes win
    added = upload(client, assigned, photo, content_type="image/png")
    assert added.status_code == 201, added.text
    lied = upload(client, assigned, answer, kind="answer", content_type="image/jpeg")
    assert lied.status_code == 201, lied.text
    body: dict[str, Any] = lied.json()
    digest = hashlib.sha256(answer).hexdigest()
    assert (body["sha256"], body["size"], body["media_type"]) == (
        digest,
        len(answer),
        "application/pdf",
    )
    assert (body["kind"], body["added_by_role"]) == ("answer", "operator")
    # issue 18: kept encrypted with the appeal's data key, under the appeal's folder
    kept = (attachments_dir / "sealed" / assigned / digest).read_bytes()
    assert answer not in kept and len(kept) > len(answer)
    assert not (attachments_dir / digest[:2] / digest).exists()
    listed = client.get(f"/api/v1/appeals/{assigned}/attachments").json()["items"]
    assert [(i["sha256"], i["media_type"]) for i in listed] == [
        (hashlib.sha256(photo).hexdigest(), "image/png"),
        (digest, "application/pdf"),
    ]
    state = client.get(f"/api/v1/appeals/{assigned}").json()
    assert state["attachments"] == [i["sha256"] for i in listed]
    served = client.get(lied.headers["Location"])
    assert served.status_code == 200 and served.content == answer
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"] == f'attachment; filename="{digest[:16]}.pdf"'
    assert served.headers["x-content-type-options"] == "nosniff"


def test_the_same_bytes_added_twice_append_nothing_and_are_stored_once(
    client: httpx.Client, assigned: str, sql: Conn, attachments_dir: Path
) -> None:
    photo = png(3, 3)
    assert upload(client, assigned, photo).status_code == 201
    before, stored = event_count(sql), files_in(attachments_dir)
    again = upload(client, assigned, photo, kind="scan")
    assert again.status_code == 200, again.text
    assert again.json()["kind"] == "photo"  # the first record stands
    assert event_count(sql) == before
    assert files_in(attachments_dir) == stored


@pytest.mark.parametrize(
    ("content", "claimed"),
    [
        (b"<html><script>alert(1)</script></html>", "image/png"),
        (b"MZ\x90\x00" + b"\x00" * 200, "application/pdf"),
        (b"", "image/png"),
    ],
    ids=["html-claimed-png", "executable-claimed-pdf", "empty"],
)
def test_a_type_not_allowed_is_415_appends_nothing_and_leaves_no_file(
    client: httpx.Client,
    assigned: str,
    sql: Conn,
    attachments_dir: Path,
    content: bytes,
    claimed: str,
) -> None:
    before, stored = event_count(sql), files_in(attachments_dir)
    problem = assert_problem(
        upload(client, assigned, content, content_type=claimed), 415, "unsupported-media-type"
    )
    assert "script" not in problem["detail"]  # no echo of what was sent
    assert event_count(sql) == before
    assert files_in(attachments_dir) == stored


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "chunked"])
def test_a_file_past_the_limit_is_413_appends_nothing_and_leaves_no_file(
    client: httpx.Client, assigned: str, sql: Conn, attachments_dir: Path, announced: bool
) -> None:
    big = png() + b"\x00" * ATTACHMENT_MAX_BYTES
    before, stored = event_count(sql), files_in(attachments_dir)
    content: Any = big if announced else iter([big[:1000], big[1000:]])  # no Content-Length
    assert_problem(upload(client, assigned, content), 413, "attachment-too-large")
    assert event_count(sql) == before
    assert files_in(attachments_dir) == stored


def test_roles_that_may_not_read_personal_data_get_403_for_the_bytes(
    client: httpx.Client, assigned: str, tokens: dict[str, str]
) -> None:
    location = upload(client, assigned, png(4, 4)).headers["Location"]
    for who in ("analyst", "auditor", "other_executor"):
        assert_problem(client.get(location, headers=auth(tokens[who])), 403, "forbidden")
    assert client.get(location, headers=auth(tokens["executor"])).status_code == 200
    # another department's executor adds nothing either, and learns nothing of the list
    other = auth(tokens["other_executor"])
    assert_problem(upload(client, assigned, png(5, 5), headers=other), 403)
    assert_problem(client.get(f"/api/v1/appeals/{assigned}/attachments", headers=other), 403)


def test_each_reading_of_a_file_is_recorded_as_a_personal_data_read_before_it_is_served(
    client: httpx.Client, assigned: str, tokens: dict[str, str], container: Container
) -> None:
    photo = png(6, 6)
    digest = hashlib.sha256(photo).hexdigest()
    location = upload(client, assigned, photo).headers["Location"]
    assert client.get(location, headers=auth(tokens["curator"])).status_code == 200
    reads = [
        r.event
        for r in container.audit.handler.read(AuditEvent, access_stream(UUID(assigned)))
        if isinstance(r.event, PersonalDataRead)
    ]
    assert [(e.actor.role, e.route, e.fields) for e in reads] == [
        ("curator", "GET /api/v1/appeals/{id}/attachments/{sha256}", (f"attachment:{digest}",))
    ]


def test_a_file_the_appeal_does_not_have_is_404_and_no_reading_is_recorded(
    client: httpx.Client, assigned: str, container: Container
) -> None:
    elsewhere = receive(client).json()["id"]
    location = upload(client, elsewhere, png(7, 7)).headers["Location"]
    other_appeal = location.replace(elsewhere, assigned)
    assert_problem(client.get(other_appeal), 404)
    assert_problem(client.get(f"/api/v1/appeals/{assigned}/attachments/not-a-hash"), 400)
    assert container.audit.handler.read(AuditEvent, access_stream(UUID(assigned))) == []


def test_a_closed_appeal_takes_only_the_signed_answer(client: httpx.Client, sql: Conn) -> None:
    appeal_id = receive(client).json()["id"]
    assert act(client, appeal_id, "register").status_code == 200
    closed = act(client, appeal_id, "close", {"outcome": "withdrawn"})
    assert closed.status_code == 200, closed.text
    before = event_count(sql)
    assert_problem(upload(client, appeal_id, png(8, 8)), 409)
    assert event_count(sql) == before
    assert upload(client, appeal_id, pdf("Подписано"), kind="answer").status_code == 201
