"""The administration's directory through HTTP: read as of a date around a rename and a merge,
assignments that name units by id (an unknown one refused with suggestions, nothing appended),
escalations that reach the sector's deputy head."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
import psycopg

from tests.api.test_appeals_api import act, assert_problem, auth, receive
from tests.conftest import event_count

Conn = psycopg.Connection[tuple[object, ...]]


def change(
    client: httpx.Client, token: str, effective: str, *changes: dict[str, Any]
) -> httpx.Response:
    return client.post(
        "/api/v1/directory/changes",
        json={"changes": list(changes), "effective": effective},
        headers=auth(token),
    )


def test_the_directory_reads_as_of_dates_around_a_rename_and_a_merge(
    client: httpx.Client, tokens: dict[str, str]
) -> None:
    a, b = f"roads-{uuid4().hex[:6]}", f"paths-{uuid4().hex[:6]}"
    admin = tokens["administrator"]
    unit = {"op": "create-unit", "kind": "unit", "parent_id": "s-test"}
    created = change(
        client,
        admin,
        "2026-01-01",
        {**unit, "unit_id": a, "name": "Отдел дорог"},
        {**unit, "unit_id": b, "name": "Отдел тротуаров"},
    )
    assert created.status_code == 200, created.text
    renamed = change(
        client, admin, "2026-05-01", {"op": "rename-unit", "unit_id": a, "name": "Управление дорог"}
    )
    assert renamed.status_code == 200, renamed.text
    merged = change(client, admin, "2026-07-01", {"op": "merge-unit", "unit_id": b, "into_id": a})
    assert merged.status_code == 200, merged.text

    def as_of(day: str) -> dict[str, Any]:
        answer = client.get("/api/v1/directory", params={"as_of": day, "closed": True})
        assert answer.status_code == 200, answer.text
        return {u["id"]: u for u in answer.json()["units"] if u["id"] in (a, b)}

    march, august = as_of("2026-03-15"), as_of("2026-08-01")
    assert (march[a]["name"], march[a]["former_names"]) == ("Отдел дорог", [])
    assert march[b]["status"] == "open"
    assert (august[a]["name"], august[a]["former_names"]) == ("Управление дорог", ["Отдел дорог"])
    assert (august[b]["status"], august[b]["merged_into"]) == ("merged", a)
    assert august[a]["sector_id"] == "s-test"


def test_an_assignment_to_an_unknown_unit_is_422_with_the_closest_units_and_appends_nothing(
    client: httpx.Client, sql: Conn
) -> None:
    appeal_id = receive(client).json()["id"]
    act(client, appeal_id, "register")
    before = event_count(sql)
    refused = act(client, appeal_id, "assign", {"department": "Управление ЖКХХ"})
    body = assert_problem(refused, 422, "unknown-unit")
    assert {"id": "ugkh", "name": "Управление ЖКХ"} in body["suggestions"]
    assert "ЖКХХ" not in body["detail"]  # the value sent is never echoed
    assert event_count(sql) == before


def test_an_assignment_names_the_unit_and_the_executor_and_the_sector_comes_from_the_directory(
    client: httpx.Client,
) -> None:
    appeal_id = receive(client).json()["id"]
    act(client, appeal_id, "register")
    assigned = act(client, appeal_id, "assign", {"department": "ugkh", "executor": "belova"})
    assert assigned.status_code == 200, assigned.text
    state = assigned.json()
    assert (state["department"], state["executor"], state["sector"]) == ("ugkh", "belova", "s-test")
    stranger = act(client, appeal_id, "assign", {"department": "ukult", "executor": "belova"})
    assert_problem(stranger, 422)  # belova is not an executor of the culture department


def test_an_escalation_to_the_sector_head_names_the_deputy_head(
    client: httpx.Client, tokens: dict[str, str]
) -> None:
    appeal_id = receive(client).json()["id"]
    act(client, appeal_id, "register")
    act(client, appeal_id, "assign", {"department": "ugkh"})
    escalated = act(client, appeal_id, "escalate", {"to": "sector_head", "reason": "Срочно"})
    assert escalated.status_code == 200, escalated.text
    history = client.get(f"/api/v1/appeals/{appeal_id}/history", headers=auth(tokens["head"]))
    assert history.status_code == 200, history.text
    (step,) = [e for e in history.json()["events"] if e["type"] == "AppealEscalated"]
    assert (step["payload"]["to_person_id"], step["payload"]["to_person"]) == (
        "deputy",
        "Заместитель Тестов",
    )


def test_only_an_administrator_changes_the_directory(
    client: httpx.Client, tokens: dict[str, str], sql: Conn
) -> None:
    before = event_count(sql)
    unit = {
        "op": "create-unit",
        "unit_id": f"x-{uuid4().hex[:6]}",
        "kind": "unit",
        "name": "Отдел",
        "parent_id": "s-test",
    }
    for role in ("operator", "head", "curator", "analyst", "auditor", "executor"):
        assert_problem(change(client, tokens[role], "2026-01-01", unit), 403)
    assert event_count(sql) == before


def test_a_change_breaking_a_rule_is_422_naming_the_change_and_appends_nothing(
    client: httpx.Client, tokens: dict[str, str], sql: Conn
) -> None:
    before = event_count(sql)
    new = {
        "op": "create-unit",
        "unit_id": f"y-{uuid4().hex[:6]}",
        "kind": "unit",
        "name": "Отдел",
        "parent_id": "s-test",
    }
    taken = {
        "op": "create-unit",
        "unit_id": "ugkh",
        "kind": "unit",
        "name": "Дубль",
        "parent_id": "s-test",
    }
    body = assert_problem(change(client, tokens["administrator"], "2026-01-01", new, taken), 422)
    assert body["detail"].startswith("change 2:")
    assert event_count(sql) == before
