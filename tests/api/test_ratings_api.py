"""Ratings and methodologies through HTTP: public, cached with ETag (304), a new methodology
published while the portal keeps answering, bad input as problems."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.api.test_appeals_api import act, assert_problem, auth, receive

pytestmark = pytest.mark.integration
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
    act(client, appeal_id, "assign", {"department": "Управление ЖКХ"})
    act(client, appeal_id, "answer", {"text": "Сделано"})
    act(client, appeal_id, "approve-answer")
    position = act(client, appeal_id, "publish-answer").headers["x-otklik-position"]
    client.get("/api/v1/appeals", params={"limit": 1, "min_position": position})
    month = f"{datetime.now(UTC):%Y-%m}"
    portal = httpx.Client(base_url=base_url, timeout=30)  # no token: public
    first = portal.get("/api/v1/ratings", params={"period": month})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["methodology"] == "v1/1" and body["as_reported"] is True
    housing = next(u for u in body["units"] if u["unit"] == "Управление ЖКХ")
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
    month = f"{datetime.now(UTC):%Y-%m}"
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
    assert after["methodology"] == before["methodology"] == "v1/1"  # as reported: unchanged
    assert after["units"] == before["units"]
    listed = portal.get("/api/v1/methodologies").json()
    assert {m["id"] for m in listed} >= {"v1", "speed"}
    compared = portal.get(
        "/api/v1/ratings/compare", params={"period": month, "base": "v1", "candidate": "speed/1"}
    )
    assert compared.status_code == 200, compared.text
    units = compared.json()["units"]
    housing = next(u for u in units if u["unit"] == "Управление ЖКХ")
    assert housing["base_rank"] is None and housing["candidate_rank"] is not None
