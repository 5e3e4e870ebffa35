"""Ratings and methodologies through HTTP: public, cached with ETag (304), a new methodology
published while the portal keeps answering, bad input as problems."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.api.test_appeals_api import act, assert_problem, auth, receive
from tests.support.dates import bundled_methodology_in_force

pytestmark = pytest.mark.integration
# the test servers' municipality: a month or a day is theirs, not UTC's (from 21:00 UTC
# Moscow is already in the next day)
MOSCOW = ZoneInfo("Europe/Moscow")
V2: dict[str, Any] = {
    "id": "speed",
    "title": "Скорость ответа",
    "weights": [
        {"indicator": "median_hours", "weight": 0.7, "normalisation": "min_max"},
        {"indicator": "on_time_share", "weight": 0.3, "normalisation": "share"},
    ],
    "min_volume": 1,
    "note": "Проект методики для сравнения",
}


def test_the_portal_reads_ratings_without_a_token_and_revalidates_with_etag(
    base_url: str, client: httpx.Client
) -> None:
    appeal_id = receive(client).json()["id"]
    act(client, appeal_id, "register")
    assigned = act(client, appeal_id, "assign", {"department": "Отдел рейтинга"})
    assert assigned.status_code == 200, assigned.text
    act(client, appeal_id, "answer", {"text": "Сделано"})
    act(client, appeal_id, "approve-answer")
    position = act(client, appeal_id, "publish-answer").headers["x-otklik-position"]
    client.get("/api/v1/appeals", params={"limit": 1, "min_position": position})
    month = f"{datetime.now(MOSCOW):%Y-%m}"
    portal = httpx.Client(base_url=base_url, timeout=30)  # no token: public
    # the portal's figures lag the appeals view by up to POSITION_TTL (0.5 s), the view the log
    for _ in range(50):
        first = portal.get("/api/v1/ratings", params={"period": month})
        assert first.status_code == 200, first.text
        body = first.json()
        if any(u["name"] == "Отдел рейтинга" for u in body["units"]):
            break
        time.sleep(0.1)
    assert body["methodology"] == bundled_methodology_in_force(month) and body["as_reported"]
    housing = next(u for u in body["units"] if u["name"] == "Отдел рейтинга")  # its own unit
    assert housing["volume"] >= 1 and not housing["ranked"]  # below v1's minimum of 10
    assert first.headers["cache-control"] == "public, max-age=60"
    again = portal.get(
        "/api/v1/ratings",
        params={"period": month},
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304 and again.content == b""
    assert "Сидорова" not in first.text  # aggregates only, never personal data
    assert_problem(portal.get("/api/v1/ratings", params={"period": "2026-13"}), 400)
    assert_problem(portal.get("/api/v1/ratings", params={"period": month, "scope": "street"}), 400)
    assert_problem(
        portal.get("/api/v1/ratings", params={"period": month, "methodology": "nope"}), 404
    )
    assert_problem(portal.get("/api/v1/ratings", params={"period": "2019-01"}), 404)


def test_publishing_a_methodology_while_the_portal_answers(
    base_url: str, client: httpx.Client, tokens: dict[str, str]
) -> None:
    month = f"{datetime.now(MOSCOW):%Y-%m}"
    portal = httpx.Client(base_url=base_url, timeout=30)
    before = portal.get("/api/v1/ratings", params={"period": month}).json()
    assert_problem(client.post("/api/v1/methodologies", json=V2), 403)  # operators do not publish
    bad = {**V2, "weights": [{**V2["weights"][0], "weight": 0.5}]}
    analyst = auth(tokens["analyst"])
    assert (
        "add up to 0.5"
        in assert_problem(client.post("/api/v1/methodologies", json=bad, headers=analyst), 422)[
            "detail"
        ]
    )
    published = client.post("/api/v1/methodologies", json=V2, headers=analyst)
    assert published.status_code == 201, published.text
    assert published.json()["version"] == 1 and published.headers["etag"] == '"1"'
    stale = client.post("/api/v1/methodologies", json=V2, headers={**analyst, "If-Match": '"7"'})
    assert_problem(stale, 412)
    after = portal.get("/api/v1/ratings", params={"period": month}).json()
    assert after["methodology"] == before["methodology"] == bundled_methodology_in_force(month)
    assert after["units"] == before["units"]
    listed = portal.get("/api/v1/methodologies").json()
    assert {m["id"] for m in listed} >= {"v1", "speed"}
    compared = portal.get(
        "/api/v1/ratings/compare", params={"period": month, "base": "v1", "candidate": "speed/1"}
    )
    assert compared.status_code == 200, compared.text
    units = compared.json()["units"]
    housing = next(u for u in units if u["name"] == "Отдел рейтинга")
    assert housing["base_rank"] is None and housing["candidate_rank"] is not None


def test_reports_through_http_in_three_formats_for_the_roles_that_read_them(
    client: httpx.Client, tokens: dict[str, str]
) -> None:
    analyst = auth(tokens["analyst"])
    month = f"{datetime.now(MOSCOW):%Y-%m}"
    as_json = client.get("/api/v1/reports/kpi", params={"period": month}, headers=analyst)
    assert as_json.status_code == 200, as_json.text
    assert as_json.json()["stamp"]["methodology"] == bundled_methodology_in_force(month)
    as_csv = client.get(
        "/api/v1/reports/kpi", params={"period": month, "format": "csv"}, headers=analyst
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.headers["content-disposition"] == f'attachment; filename="kpi-{month}.csv"'
    assert "Подразделение" in as_csv.content.decode("utf-8-sig")
    as_xlsx = client.get("/api/v1/reports/workload", params={"format": "xlsx"}, headers=analyst)
    assert as_xlsx.status_code == 200 and as_xlsx.content[:2] == b"PK"  # a zip: the workbook
    today = f"{datetime.now(MOSCOW):%Y-%m-%d}"
    sliced = client.get(
        "/api/v1/reports/summary",
        params={"since": today, "until": today, "by": "channel,kind"},
        headers=analyst,
    )
    assert sliced.status_code == 200 and sliced.json()["rows"]
    hot = client.get("/api/v1/reports/hot-topics", params={"weeks": 4}, headers=analyst)
    assert (
        hot.status_code == 200 and len(hot.json()["columns"]) == 2 + 4 + 4
    )  # topic, its code, 4 weeks, 4 figures
    assert_problem(client.get("/api/v1/reports/kpi", params={"period": month}), 403)  # operator
    bad = {"since": today, "until": today, "by": "street"}
    assert_problem(client.get("/api/v1/reports/summary", params=bad, headers=analyst), 400)
    assert_problem(
        client.get(
            "/api/v1/reports/kpi", params={"period": month, "format": "pdf"}, headers=analyst
        ),
        400,
    )
