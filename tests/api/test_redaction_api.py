"""The appeal's read routes serve the redacted copy of its free texts; the originals come only
from their own route, to the roles that work the appeal, each reading recorded for auditors."""

from __future__ import annotations

import time
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.api.test_appeals_api import NEW_MESSAGE, act, assert_problem, auth

pytestmark = pytest.mark.integration
TEXT = (
    "Третью неделю не вывозят мусор у дома 14 по ул. Садовой. Звоните мне, Ковалёвой Ирине,"
    " по номеру 8 (912) 600-70-80 или пишите на irina.k@mail.ru"
)
LEAKS = ("600-70-80", "Ковалёв", "irina.k", "Садовой")


def texts_appeal(client: httpx.Client) -> str:
    created = client.post("/api/v1/appeals", json={**NEW_MESSAGE, "text": TEXT})
    assert created.status_code == 201, created.text
    appeal_id: str = created.json()["id"]
    act(client, appeal_id, "register")
    return appeal_id


def test_the_appeal_and_its_history_show_the_redacted_text(
    client: httpx.Client, tokens: dict[str, str]
) -> None:
    appeal_id = texts_appeal(client)
    state = client.get(f"/api/v1/appeals/{appeal_id}")
    assert state.status_code == 200, state.text
    text = state.json()["text"]
    assert "[ТЕЛЕФОН]" in text and "[EMAIL]" in text and "[ИМЯ]" in text and "[АДРЕС]" in text
    assert text.startswith("Третью неделю не вывозят мусор")
    history = client.get(
        f"/api/v1/appeals/{appeal_id}/history", headers=auth(tokens["auditor"])
    ).json()["events"]
    assert history[0]["payload"]["text"] == text
    as_of = client.get(
        f"/api/v1/appeals/{appeal_id}", params={"as_of": history[0]["recorded_at"]}
    ).json()
    assert as_of["state"]["text"] == text
    for body in (state.text, str(history), str(as_of)):
        assert not any(leak in body for leak in LEAKS)


def test_the_originals_are_served_to_those_who_work_the_appeal_and_recorded(
    client: httpx.Client, base_url: str, tokens: dict[str, str]
) -> None:
    appeal_id = texts_appeal(client)
    path = f"/api/v1/appeals/{appeal_id}/texts"
    for role in ("auditor", "analyst"):
        assert_problem(httpx.get(f"{base_url}{path}", headers=auth(tokens[role])), 403)
    served = client.get(path)
    assert served.status_code == 200, served.text
    (original,) = served.json()["texts"]
    assert original == {
        "source_version": 1,
        "source_type": "AppealReceived",
        "field": "text",
        "text": TEXT,
    }
    items = readings(client, tokens, appeal_id)
    assert [(i["actor_role"], i["route"], i["fields"]) for i in items] == [
        ("operator", "GET /api/v1/appeals/{id}/texts", ["AppealReceived.text"])
    ]


def readings(client: httpx.Client, tokens: dict[str, str], appeal_id: str) -> list[Any]:
    items: list[Any] = []
    deadline = time.monotonic() + 10
    while not items and time.monotonic() < deadline:  # the view follows the log
        response = client.get(
            "/api/v1/audit/personal-data-reads",
            params={"appeal_id": appeal_id},
            headers=auth(tokens["auditor"]),
        )
        if response.status_code == 200:
            items = response.json()["items"]
        time.sleep(0.1)
    return items


def test_analysts_search_the_redacted_copies_only(
    client: httpx.Client, tokens: dict[str, str]
) -> None:
    mark = f"zq{uuid4().hex[:12]}"  # a word no other test writes
    created = client.post("/api/v1/appeals", json={**NEW_MESSAGE, "text": f"{TEXT} {mark}"})
    assert created.status_code == 201, created.text
    appeal_id = created.json()["id"]
    analyst = auth(tokens["analyst"])
    found: list[Any] = []
    deadline = time.monotonic() + 15
    while not found and time.monotonic() < deadline:  # the reactor, then the view, follow
        answer = client.get("/api/v1/reports/texts", params={"q": mark}, headers=analyst)
        if answer.status_code == 200:
            found = answer.json()
        time.sleep(0.2)
    assert [(f["appeal_id"], f["field"]) for f in found] == [(appeal_id, "text")]
    assert "[ТЕЛЕФОН]" in found[0]["text"] and not any(leak in answer.text for leak in LEAKS)
    by_phone = client.get("/api/v1/reports/texts", params={"q": "600-70-80"}, headers=analyst)
    assert by_phone.status_code == 200 and appeal_id not in by_phone.text
    assert_problem(client.get("/api/v1/reports/texts", params={"q": mark}), 403)  # operator
