"""The audit routes through HTTP: who may read histories, the history's filters and changes,
the personal-data access log, the ledger's head."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.api.test_appeals_api import CITIZEN_NAME, act, assert_problem, auth, receive

pytestmark = pytest.mark.integration


def assigned_appeal(client: httpx.Client) -> str:
    appeal_id: str = receive(client).json()["id"]
    act(client, appeal_id, "register")
    act(client, appeal_id, "assign", {"department": "Управление ЖКХ"})
    return appeal_id


def test_only_auditors_the_head_and_the_departments_executor_read_a_history(
    client: httpx.Client, base_url: str, tokens: dict[str, str]
) -> None:
    appeal_id = assigned_appeal(client)
    path = f"{base_url}/api/v1/appeals/{appeal_id}/history"
    for role in ("auditor", "head", "executor"):
        response = httpx.get(path, headers=auth(tokens[role]))
        assert response.status_code == 200, (role, response.text)
        assert [e["type"] for e in response.json()["events"]] == [
            "AppealReceived",
            "AppealRegistered",
            "AppealAssigned",
        ]
    for role in ("operator", "curator", "analyst", "other_executor"):
        assert_problem(httpx.get(path, headers=auth(tokens[role])), 403)


def test_the_history_filters_by_type_and_time_and_shows_each_change(
    client: httpx.Client, tokens: dict[str, str]
) -> None:
    appeal_id = assigned_appeal(client)
    auditor = auth(tokens["auditor"])
    path = f"/api/v1/appeals/{appeal_id}/history"
    whole = client.get(path, headers=auditor).json()
    assert whole["version"] == 3
    assigned = client.get(path, params={"type": "AppealAssigned"}, headers=auditor).json()
    assert [e["type"] for e in assigned["events"]] == ["AppealAssigned"]
    changes = {
        c["field"]: (c.get("before"), c.get("after")) for c in assigned["events"][0]["changes"]
    }
    assert changes["department"] == (None, "ugkh")  # the unit's id
    assert changes["status"] == ("registered", "assigned")
    second = whole["events"][1]["occurred_at"]
    later = client.get(path, params={"since": second}, headers=auditor).json()["events"]
    assert [e["type"] for e in later] == ["AppealRegistered", "AppealAssigned"]
    earlier = client.get(path, params={"until": second}, headers=auditor).json()["events"]
    assert [e["type"] for e in earlier] == ["AppealReceived"]
    assert_problem(client.get(path, params={"type": "Teleported"}, headers=auditor), 400)
    assert_problem(client.get(path, params={"since": "2026-01-01T00:00:00"}, headers=auditor), 400)


def test_reading_a_citizens_contact_is_recorded_for_auditors(
    client: httpx.Client, tokens: dict[str, str]
) -> None:
    appeal_id = assigned_appeal(client)
    served = client.get(f"/api/v1/appeals/{appeal_id}/citizen")
    assert served.status_code == 200 and served.json()["full_name"] == CITIZEN_NAME
    auditor = auth(tokens["auditor"])
    items: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while not items and time.monotonic() < deadline:  # the view follows the log
        response = client.get(
            "/api/v1/audit/personal-data-reads", params={"appeal_id": appeal_id}, headers=auditor
        )
        if response.status_code == 503:  # the view's first build is still running
            time.sleep(0.2)
            continue
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        time.sleep(0.1)
    assert len(items) == 1
    (item,) = items
    assert (item["actor_role"], item["route"]) == ("operator", "GET /api/v1/appeals/{id}/citizen")
    assert set(item["fields"]) == {"full_name", "phone"}
    assert CITIZEN_NAME not in response.text  # who read it, never what was read
    assert_problem(client.get("/api/v1/audit/personal-data-reads"), 403)
    head = client.get("/api/v1/audit/ledger", headers=auth(tokens["head"]))
    assert head.status_code == 200, head.text
    assert head.json()["position"] > 0 and len(head.json()["link"]) == 64
    assert_problem(client.get("/api/v1/audit/ledger"), 403)
