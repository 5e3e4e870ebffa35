"""Authorisation before the version check, and the gaps between roles: a role that may not act
gets 403 and learns nothing of the version; the system role records breaches and nothing else;
``min_position`` beyond the log's head is a 400 at once; a department executor reads an appeal, at
any moment of its past, only while it is their department's now."""

from __future__ import annotations

import time
from typing import Any

import httpx
import psycopg
import pytest

from domain.shared.actors import Role
from infra.container import Container
from tests.api.test_appeals_api import NEW_MESSAGE, act, assert_problem, auth, receive
from tests.api.test_claims_api import NEW_CLAIM
from tests.api.test_ratings_api import V2
from tests.conftest import event_count

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]
STALE = {"If-Match": '"97"'}
HOUSING = "ugkh"  # the executor's department (the tokens fixture)
CULTURE = "ukult"  # the other executor's
DAY = {"day": "2026-12-29", "kind": "holiday", "reason": "Проверка порядка проверок"}
POLICY = {"title": "Региональные сроки", "rules": [], "note": "Проверка порядка проверок"}


@pytest.fixture(scope="module")
def system_token(container: Container) -> str:
    token, _ = container.tokens.create(role=Role.SYSTEM, name="Внешний контроль сроков")
    return token


def assert_forbidden_without_the_version(response: httpx.Response) -> None:
    body = assert_problem(response, 403, "forbidden")
    assert "version" not in response.text.lower() and "etag" not in response.headers
    assert "97" not in body["detail"]


def test_a_role_that_may_not_act_gets_403_not_412_on_every_command_route(
    base_url: str, client: httpx.Client, tokens: dict[str, str], sql: Conn
) -> None:
    appeal_id = receive(client).json()["id"]
    claim_id = client.post("/api/v1/claims", json=NEW_CLAIM).json()["id"]
    before = event_count(sql)
    denied: list[tuple[str, str, dict[str, Any]]] = [
        ("auditor", f"/api/v1/appeals/{appeal_id}/register", {}),
        ("analyst", f"/api/v1/appeals/{appeal_id}/close", {"outcome": "answered"}),
        ("operator", f"/api/v1/claims/{claim_id}/close", {"reason": "Проверка"}),
        ("auditor", f"/api/v1/claims/{claim_id}/record-breach", {"norm": "verdict"}),
        ("operator", "/api/v1/methodologies", {**V2, "id": "roles-order"}),
        ("operator", "/api/v1/calendar/days", DAY),
        ("analyst", "/api/v1/sla/policies/federal", POLICY),
    ]
    for role, path, body in denied:
        for if_match in ('"97"', '"²"', "garbage"):  # stale or malformed: 403 all the same
            response = httpx.post(
                f"{base_url}{path}",
                json=body,
                headers=[
                    (b"Authorization", f"Bearer {tokens[role]}".encode()),
                    (b"If-Match", if_match.encode()),
                ],
            )
            assert_forbidden_without_the_version(response)
    assert event_count(sql) == before


def test_an_executor_of_another_department_gets_403_not_412(
    base_url: str, client: httpx.Client, tokens: dict[str, str], sql: Conn
) -> None:
    appeal_id = receive(client).json()["id"]
    act(client, appeal_id, "register")
    act(client, appeal_id, "assign", {"department": HOUSING})
    before = event_count(sql)
    response = httpx.post(
        f"{base_url}/api/v1/appeals/{appeal_id}/answer",
        json={"text": "Ответ не своего отдела"},
        headers={**auth(tokens["other_executor"]), **STALE},
    )
    assert_forbidden_without_the_version(response)
    stale_but_allowed = httpx.post(
        f"{base_url}/api/v1/appeals/{appeal_id}/answer",
        json={"text": "Ответ своего отдела"},
        headers={**auth(tokens["executor"]), **STALE},
    )
    assert_problem(stale_but_allowed, 412, "version-mismatch")  # a role that may act: 412
    assert event_count(sql) == before


def test_the_system_role_records_breaches_and_nothing_else(
    base_url: str, client: httpx.Client, system_token: str, sql: Conn
) -> None:
    appeal_id = receive(client).json()["id"]
    claim_id = client.post("/api/v1/claims", json=NEW_CLAIM).json()["id"]
    system = httpx.Client(base_url=base_url, headers=auth(system_token), timeout=30)
    before = event_count(sql)
    refused: list[tuple[str, dict[str, Any]]] = [
        ("/api/v1/methodologies", {**V2, "id": "system-made"}),
        ("/api/v1/sla/policies/federal", POLICY),
        ("/api/v1/calendar/days", DAY),
        ("/api/v1/appeals", NEW_MESSAGE),
        (f"/api/v1/appeals/{appeal_id}/register", {}),
        (f"/api/v1/appeals/{appeal_id}/escalate", {"to": "curator", "reason": "Проверка"}),
        ("/api/v1/claims", NEW_CLAIM),
        (f"/api/v1/claims/{claim_id}/resurfaced", {"source": NEW_CLAIM["sources"][0]}),
        (f"/api/v1/claims/{claim_id}/close", {"reason": "Проверка"}),
    ]
    for path, body in refused:
        assert_problem(system.post(path, json=body), 403, "forbidden")
    assert event_count(sql) == before
    # breaches are the system's to record (these have not passed yet: refused by the rule, not
    # by the role)
    appeal_breach = system.post(
        f"/api/v1/appeals/{appeal_id}/record-breach", json={"deadline": "register"}
    )
    assert appeal_breach.status_code in (200, 409), appeal_breach.text
    claim_breach = system.post(f"/api/v1/claims/{claim_id}/record-breach", json={"norm": "verdict"})
    assert claim_breach.status_code in (200, 409), claim_breach.text


@pytest.mark.parametrize("route", ["/api/v1/appeals", "/api/v1/sla/overdue", "/api/v1/sla/at-risk"])
def test_min_position_beyond_the_head_of_the_log_is_400_at_once(
    client: httpx.Client, route: str
) -> None:
    head = int(receive(client).headers["x-otklik-position"])
    started = time.monotonic()
    beyond = client.get(route, params={"min_position": head + 1_000_000})
    assert time.monotonic() - started < 2
    assert "beyond the head" in assert_problem(beyond, 400, "invalid-min-position")["detail"]
    at_head = client.get(route, params={"min_position": head})
    assert at_head.status_code == 200, at_head.text


def test_an_executor_reads_an_appeals_past_only_while_it_is_their_departments(
    client: httpx.Client, base_url: str, tokens: dict[str, str]
) -> None:
    appeal_id = receive(client).json()["id"]
    act(client, appeal_id, "register")
    act(client, appeal_id, "assign", {"department": HOUSING})
    auditor = auth(tokens["auditor"])
    history = client.get(f"/api/v1/appeals/{appeal_id}/history", headers=auditor).json()["events"]
    received_at, housing_at = history[0]["recorded_at"], history[-1]["recorded_at"]
    act(client, appeal_id, "assign", {"department": CULTURE})  # it moves elsewhere

    def read(role: str, as_of: str | None = None) -> httpx.Response:
        params = {"as_of": as_of} if as_of else {}
        return httpx.get(
            f"{base_url}/api/v1/appeals/{appeal_id}", params=params, headers=auth(tokens[role])
        )

    # the department it belonged to reads none of it any more, not even its own time
    for moment in (None, received_at, housing_at):
        assert_problem(read("executor", moment), 403, "forbidden")
    # the department it belongs to now reads all of it, from before it was theirs
    assert read("other_executor").json()["department"] == CULTURE
    then = read("other_executor", housing_at)
    assert then.status_code == 200 and then.json()["state"]["department"] == HOUSING
    assert read("other_executor", received_at).json()["state"]["department"] is None
    # auditors and the head read everything
    for role in ("auditor", "head"):
        assert read(role, housing_at).json()["state"]["department"] == HOUSING
    # the history follows the same rule
    for role, status in (("executor", 403), ("other_executor", 200)):
        response = httpx.get(
            f"{base_url}/api/v1/appeals/{appeal_id}/history", headers=auth(tokens[role])
        )
        assert response.status_code == status, response.text
