"""Polls and publications over HTTP (001 §2.2б, ж–з): a poll imported once (a second import of
the same platform's poll refused), cited by a session's decision and its task, found beside its
hot topic by an analyst; a publication (a claim's refutation) recorded, its reach imported later
and read by the claim, as the misinformation report would."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.api.test_appeals_api import assert_problem, auth
from tests.api.test_claims_api import eventually

TOPIC = f"Освещение улиц {uuid.uuid4().hex[:6]}"


def _poll(external_id: str) -> dict[str, Any]:
    return {
        "platform": "ПОС",
        "external_id": external_id,
        "title": "Где не хватает уличного освещения?",
        "area": "г. Ишим",
        "period_from": "2025-02-01",
        "period_to": "2025-02-20",
        "hot_topic": TOPIC,
        "questions": [
            {
                "text": "Где вы идёте по неосвещённой улице?",
                "options": [
                    {"text": "Частный сектор", "count": 524},
                    {"text": "Остановки", "count": 277},
                ],
            }
        ],
    }


def _listed(client: httpx.Client, path: str, token: str) -> list[dict[str, Any]] | None:
    response = client.get(path, headers=auth(token))
    return response.json() if response.status_code == 200 and response.json() else None


def test_a_poll_imported_once_cited_by_a_decision_and_found_beside_its_hot_topic(
    client: httpx.Client, tokens: dict[str, str]
) -> None:
    external = f"poll-{uuid.uuid4().hex[:8]}"
    imported = client.post("/api/v1/polls", json=_poll(external))
    assert imported.status_code == 201, imported.text
    poll_id = imported.json()["id"]
    assert imported.headers["Location"].endswith(poll_id)
    assert_problem(client.post("/api/v1/polls", json=_poll(external)), 409)  # the same poll
    assert_problem(
        client.post("/api/v1/polls", json=_poll(external), headers=auth(tokens["analyst"])), 403
    )
    # an analyst finds it beside its hot topic (the view follows the log)
    found = eventually(
        lambda: _listed(client, f"/api/v1/polls?hot_topic={TOPIC}", tokens["analyst"]), 30
    )
    assert found is not None and [p["poll_id"] for p in found] == [poll_id]
    assert found[0]["answers"] == 801  # the first question's answers, as imported
    # a decision cites it: the agenda item, and the task the adopted decision sets
    composition = {
        "effective": "2020-01-01",
        "head": "curator",
        "deputy_head": "deputy",
        "secretary": "belova",
        "protocol": "Протокол № 1 от 10.01.2020",
    }
    assert client.post("/api/v1/sessions/composition", json=composition).status_code == 201
    item = {
        "title": TOPIC,
        "proposal": "Поручить МБУ «Горсвет» восстановить освещение по результатам опроса",
        "cites": {"hot_topic": TOPIC, "polls": [poll_id]},
    }
    unknown = {**item, "cites": {"polls": [str(uuid.uuid4())]}}
    session = {"held_on": "2025-03-03", "format": "in_person", "agenda": [unknown]}
    assert_problem(client.post("/api/v1/sessions", json=session), 404)  # a poll not imported
    made = client.post("/api/v1/sessions", json={**session, "agenda": [item]})
    assert made.status_code == 201, made.text
    sid = made.json()["id"]
    assert made.json()["agenda"][0]["cites"]["polls"] == [poll_id]
    for action, body in (
        ("attendance", {"taking_part": ["curator", "belova"]}),
        ("vote", {"item": 1, "member": "curator", "choice": "for"}),
        ("vote", {"item": 1, "member": "belova", "choice": "for"}),
        ("close-voting", {"item": 1}),
    ):
        acted = client.post(f"/api/v1/sessions/{sid}/{action}", json=body)
        assert acted.status_code == 200, acted.text
    task = client.post(
        "/api/v1/tasks",
        json={
            "session_id": sid,
            "item": 1,
            "text": "Восстановить освещение",
            "unit_id": "ugkh",
            "within_working_days": 5,
            "cites": {"hot_topic": TOPIC, "polls": [poll_id]},
        },
    )
    assert task.status_code == 201, task.text
    assert task.json()["cites"]["polls"] == [poll_id]


def test_a_publication_recorded_its_reach_imported_later_and_read_by_its_claim(
    client: httpx.Client, tokens: dict[str, str]
) -> None:
    claim = str(uuid.uuid4())
    recorded = client.post(
        "/api/v1/publications",
        json={
            "kind": "refutation",
            "channel": "Канал МЦУ в Telegram",
            "url": "https://t.me/ishim_mcu/812",
            "title": "Горячую воду не отключат на месяц",
            "published_at": datetime.now(UTC).isoformat(),
            "hot_topic": TOPIC,
            "claim_id": claim,
        },
    )
    assert recorded.status_code == 201, recorded.text
    pid = recorded.json()["id"]
    path = f"/api/v1/publications?claim_id={claim}"
    first = eventually(lambda: _listed(client, path, tokens["analyst"]), 30)
    assert first is not None and [
        (p["publication_id"], p["reach"], p["measured_at"]) for p in first
    ] == [(pid, 0, None)]  # not measured yet
    reach = {"reach": 4200, "views": 9100, "measured_at": datetime.now(UTC).isoformat()}
    assert_problem(
        client.post(f"/api/v1/publications/{pid}/reach", json=reach, headers={"If-Match": '"7"'}),
        412,
    )
    measured = client.post(f"/api/v1/publications/{pid}/reach", json=reach)
    assert measured.status_code == 200, measured.text

    def with_reach() -> list[dict[str, Any]] | None:
        rows = _listed(client, path, tokens["analyst"])
        return rows if rows and rows[0]["reach"] == 4200 else None

    shown = eventually(with_reach, 30)
    assert shown is not None and shown[0]["views"] == 9100 and shown[0]["claim_id"] == claim
    other = _listed(client, f"/api/v1/publications?claim_id={uuid.uuid4()}", tokens["analyst"])
    assert other is None  # another claim's: none
