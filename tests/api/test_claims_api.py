"""The claim routes through HTTP: the whole response, bad input that changes nothing, matching,
the figures, and the public ClaimReview."""

from __future__ import annotations

import time
from typing import Any
from uuid import uuid4

import httpx
import psycopg
import pytest

from tests.api.test_appeals_api import assert_problem, auth
from tests.conftest import event_count

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]
FAKE = "В микрорайоне Заречный на две недели отключат газ во всех домах"
NEW_CLAIM: dict[str, Any] = {
    "text": FAKE,
    "topic": "ЖКХ",
    "sources": [
        {
            "url": "https://t.me/gossip/123",
            "channel": "telegram",
            "first_seen": "2026-11-20T08:00:00+03:00",
            "reach": 25000,
            "text": FAKE,
        }
    ],
}


def eventually(check: Any, seconds: float = 10) -> Any:
    """The views follow the log: ask until they answer (or 503 while a first build runs)."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.2)


def test_a_claim_from_detection_to_a_public_claim_review(
    client: httpx.Client, base_url: str, tokens: dict[str, str]
) -> None:
    curator = auth(tokens["curator"])
    created = client.post("/api/v1/claims", json=NEW_CLAIM)
    assert created.status_code == 201, created.text
    claim = created.json()
    claim_id = claim["id"]
    assert created.headers["location"] == f"/api/v1/claims/{claim_id}"
    assert claim["urgent"] is True and claim["status"] == "detected"
    steps: list[tuple[str, dict[str, Any]]] = [
        (
            "assess",
            {
                "verdict": "false",
                "evidence": ["Письмо газовой службы: плановых работ нет"],
                "department": "Управление ЖКХ",
                "rationale": "Работы на сетях не планируются",
            },
        ),
        ("draft-refutation", {"text": "Газ в Заречном отключать не будут", "facts": ["Письмо"]}),
        ("approve-refutation", {"approver": "Куратор МЦУ"}),
        ("publish-refutation", {"channel": "vk", "url": "https://vk.com/wall-100_77"}),
        ("confirm-publication", {"channel": "vk", "reference": "пост 77"}),
        ("warn", {"groups": ["Жители Заречного"], "channel": "ПОС"}),
    ]
    for action, body in steps:
        response = client.post(f"/api/v1/claims/{claim_id}/{action}", json=body, headers=curator)
        assert response.status_code == 200, (action, response.text)
    assert response.headers["etag"] == '"7"'
    path = f"{base_url}/api/v1/claims/{claim_id}/claim-review"
    eventually(lambda: httpx.get(path).status_code == 200)
    review = httpx.get(path)
    assert review.status_code == 200, review.text
    assert review.headers["content-type"].startswith("application/ld+json")
    body = review.json()
    assert body["@type"] == "ClaimReview" and body["claimReviewed"] == FAKE
    assert body["reviewRating"]["ratingValue"] == 1
    assert body["reviewRating"]["alternateName"] == "Ложь"
    assert body["url"] == "https://vk.com/wall-100_77"
    assert body["itemReviewed"]["firstAppearance"]["url"] == "https://t.me/gossip/123"
    listed = httpx.get(f"{base_url}/api/v1/claim-reviews").json()
    assert any(r["claimReviewed"] == FAKE for r in listed)
    # the fake comes back in other words: recognised, answered from its refutation
    rumour = {"text": "Говорят, в Заречном во всех домах отключат газ на две недели"}
    eventually(lambda: client.post("/api/v1/claims/match", json=rumour).status_code == 200)
    matched = client.post("/api/v1/claims/match", json=rumour).json()
    assert matched and matched[0]["claim_id"] == claim_id
    assert matched[0]["refutation"] == "Газ в Заречном отключать не будут"
    figures = client.get("/api/v1/misinformation/summary", headers=curator)
    assert figures.status_code == 200, figures.text
    assert figures.json()["claims"] >= 1
    assert_problem(client.get("/api/v1/misinformation/summary"), 403)  # operators: no


def test_bad_input_is_a_problem_and_appends_nothing(
    client: httpx.Client, tokens: dict[str, str], sql: Conn
) -> None:
    before = event_count(sql)
    assert_problem(client.post("/api/v1/claims", json={**NEW_CLAIM, "sources": []}), 400)
    bad_url = {**NEW_CLAIM, "sources": [{**NEW_CLAIM["sources"][0], "url": "javascript:x"}]}
    assert_problem(client.post("/api/v1/claims", json=bad_url), 400)
    assert_problem(client.post("/api/v1/claims", json={**NEW_CLAIM, "extra": 1}), 400)
    claim_id = client.post("/api/v1/claims", json=NEW_CLAIM).json()["id"]
    before = event_count(sql)
    early = client.post(
        f"/api/v1/claims/{claim_id}/publish-refutation",
        json={"channel": "vk"},
        headers=auth(tokens["curator"]),
    )
    assert "only after its approval" in assert_problem(early, 409, "rule-violated")["detail"]
    stale = client.post(
        f"/api/v1/claims/{claim_id}/add-source",
        json={
            "source": {
                "url": "https://vk.com/x_1",
                "channel": "vk",
                "first_seen": "2026-11-20T08:00:00Z",
            }
        },
        headers={"If-Match": '"5"'},
    )
    assert_problem(stale, 412)
    assert_problem(
        client.post(f"/api/v1/claims/{claim_id}/approve-refutation", json={"approver": "x"}), 403
    )
    assert_problem(client.get(f"/api/v1/claims/{uuid4()}"), 404)
    assert_problem(client.post("/api/v1/claims/match", json={"text": ""}), 400)
    assert event_count(sql) == before
