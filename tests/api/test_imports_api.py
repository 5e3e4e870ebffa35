"""POST /api/v1/imports through the real server: an export uploaded as the body is imported
through a shipped profile; the same upload again appends nothing; broken rows are reported by
file, row, column and rule (never the value); another type is 415, a file past the limit 413;
only curators, the head and administrators may import."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime

import httpx
import psycopg
import pytest

from infra.demo.pos_export import pos_row, to_csv
from tests.api.conftest import IMPORT_MAX_BYTES
from tests.api.test_appeals_api import assert_problem, auth
from tests.conftest import event_count

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]
CSV = {"Content-Type": "text/csv"}
START = datetime(2025, 3, 3, 9, 0)


@pytest.fixture
def http(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=60) as c:
        yield c


def upload(
    http: httpx.Client, token: str, body: bytes, headers: dict[str, str] = CSV, **query: str
) -> httpx.Response:
    return http.post(
        "/api/v1/imports",
        params={"profile": "pos", **query},
        content=body,
        headers={**auth(token), **headers},
    )


def export(n: int = 3) -> bytes:
    prefix = f"A{uuid.uuid4().hex[:6]}-"
    stages = ["closed", "answered", "assigned", "open"]
    return to_csv([pos_row(f"{prefix}{i}", START, stages[i % 4]) for i in range(n)])


def test_a_curator_imports_a_small_csv_and_the_second_upload_appends_nothing(
    http: httpx.Client, tokens: dict[str, str], sql: Conn
) -> None:
    data = export()
    before = event_count(sql)
    first = upload(http, tokens["curator"], data)
    assert first.status_code == 200, first.text
    report = first.json()
    assert (report["rows"], report["received"], report["failed"]) == (3, 3, 0), report
    assert report["errors"] == [] and report["events"] > 3
    assert event_count(sql) == before + report["events"]
    again = upload(http, tokens["head"], data).json()
    assert (again["received"], again["unchanged"], again["events"]) == (0, 3, 0), again
    assert event_count(sql) == before + report["events"]


def test_a_dry_run_decides_every_row_and_appends_nothing(
    http: httpx.Client, tokens: dict[str, str], sql: Conn
) -> None:
    before = event_count(sql)
    answer = upload(http, tokens["administrator"], export(), dry_run="true")
    assert answer.status_code == 200, answer.text
    assert answer.json()["dry_run"] is True and answer.json()["events"] > 3
    assert event_count(sql) == before


def test_broken_rows_are_reported_by_row_column_and_rule_never_by_value(
    http: httpx.Client, tokens: dict[str, str], sql: Conn
) -> None:
    prefix = f"B{uuid.uuid4().hex[:6]}-"
    good = pos_row(f"{prefix}0", START)
    bad_date = {**pos_row(f"{prefix}1", START), "Дата поступления": "31.02.2025 10:99"}
    bad_unit = {**pos_row(f"{prefix}2", START), "Ответственный": "Отдел-призрак-4711"}
    answer = upload(http, tokens["curator"], to_csv([good, bad_date, bad_unit]))
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["received"], report["failed"]) == (1, 2)
    assert [(e["file"], e["row"], e["column"]) for e in report["errors"]] == [
        ("upload.csv", 3, "Дата поступления"),
        ("upload.csv", 4, "Ответственный"),
    ]
    assert all(e["rule"] for e in report["errors"])
    for value in ("31.02.2025 10:99", "Отдел-призрак-4711", "Иванова"):
        assert value not in answer.text


def test_a_body_of_another_type_is_415_and_imports_nothing(
    http: httpx.Client, tokens: dict[str, str], sql: Conn
) -> None:
    before = event_count(sql)
    for media in ("application/json", "application/octet-stream"):
        answer = upload(http, tokens["curator"], export(), {"Content-Type": media})
        assert_problem(answer, 415, "unsupported-media-type")
    assert event_count(sql) == before


def test_a_file_past_the_limit_is_413_announced_or_streamed(
    http: httpx.Client, tokens: dict[str, str], sql: Conn
) -> None:
    before = event_count(sql)
    data = export() + b"x" * IMPORT_MAX_BYTES
    assert_problem(upload(http, tokens["curator"], data), 413, "import-too-large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is checked as bytes come
        for start in range(0, len(data), 8192):
            yield data[start : start + 8192]

    try:
        streamed = http.post(
            "/api/v1/imports",
            params={"profile": "pos"},
            content=chunks(),
            headers={**auth(tokens["curator"]), **CSV},
        )
    except (httpx.RemoteProtocolError, httpx.WriteError):
        # The server answered 413 and closed while this client was still sending (it reads no
        # answer before its body is out): refused all the same; the server is still there.
        assert http.get("/health/live").status_code == 200
    else:
        assert_problem(streamed, 413, "import-too-large")
    assert event_count(sql) == before


def test_an_unknown_profile_or_a_file_without_the_columns_is_422(
    http: httpx.Client, tokens: dict[str, str]
) -> None:
    answer = upload(http, tokens["curator"], export(), profile="nosuch")
    assert_problem(answer, 422, "import-refused")
    answer = upload(http, tokens["curator"], b"a;b\n1;2\n")
    assert_problem(answer, 422, "import-refused")


@pytest.mark.parametrize("role", ["operator", "analyst", "executor", "auditor"])
def test_a_role_that_may_not_import_gets_403(
    http: httpx.Client, tokens: dict[str, str], sql: Conn, role: str
) -> None:
    before = event_count(sql)
    assert_problem(upload(http, tokens[role], export()), 403, "forbidden")
    assert event_count(sql) == before
