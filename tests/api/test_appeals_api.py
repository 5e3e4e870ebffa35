"""The HTTP API end to end, against granian: every route, and bad input that changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import psycopg
import pytest

from tests.conftest import event_count
from tests.support.dates import bundled_methodology_in_force

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]
CITIZEN_NAME = "Сидорова Анна Викторовна"
NEW_MESSAGE: dict[str, Any] = {
    "kind": "message",
    "channel": "pos",
    "text": "Не вывозят мусор во дворе",
    "external_id": "POS-777",
    "citizen": {"full_name": CITIZEN_NAME, "phone": "+7 912 345-67-89"},
    "place": {"address": "г. Энск, ул. Ленина, д. 5"},
}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def receive(client: httpx.Client, **headers: str) -> httpx.Response:
    response = client.post("/api/v1/appeals", json=NEW_MESSAGE, headers=headers)
    assert response.status_code == 201, response.text
    return response


def act(
    client: httpx.Client,
    appeal_id: str,
    action: str,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return client.post(f"/api/v1/appeals/{appeal_id}/{action}", json=body or {}, headers=headers)


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    if code is not None:
        assert body["type"] == f"urn:otklik:problem:{code}"
    return body


def wait_for_view(client: httpx.Client, position: int) -> None:
    """Read your writes: ask the view to answer once it has applied ``position``."""
    response = client.get("/api/v1/appeals", params={"limit": 1, "min_position": position})
    assert response.status_code == 200, response.text
    assert response.json()["position"] >= position


def test_receive_returns_201_with_location_etag_and_position(client: httpx.Client) -> None:
    response = receive(client)
    body = response.json()
    assert response.headers["location"] == f"/api/v1/appeals/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert int(response.headers["x-otklik-position"]) > 0
    assert body["status"] == "received" and "citizen" not in body
    assert CITIZEN_NAME not in response.text


def test_a_whole_life_through_http_with_history_and_as_of(
    client: httpx.Client, tokens: dict[str, str]
) -> None:
    auditor = auth(tokens["auditor"])
    appeal_id = receive(client).json()["id"]
    steps: list[tuple[str, dict[str, Any]]] = [
        ("register", {}),
        ("categorise", {"topic": "ЖКХ", "subtopic": "Вывоз ТКО", "essence": "Не вывозят мусор"}),
        ("assign", {"department": "ugkh", "executor": "belova"}),
        ("answer", {"text": "Мусор вывезен, график восстановлен"}),
        ("approve-answer", {}),
        ("deliver-answer", {}),
    ]
    versions = []
    for action, body in steps[:5]:
        response = act(client, appeal_id, action, body)
        assert response.status_code == 200, (action, response.text)
        versions.append(response.headers["etag"])
    approved = client.get(f"/api/v1/appeals/{appeal_id}/history", headers=auditor).json()["events"][
        -1
    ]["recorded_at"]
    for action, body in [("publish-answer", {}), ("deliver-answer", {}), ("rate", {"score": 5})]:
        assert act(client, appeal_id, action, body).status_code == 200, action
    assert versions == ['"2"', '"3"', '"4"', '"5"', '"6"']

    history = client.get(f"/api/v1/appeals/{appeal_id}/history", headers=auditor).json()["events"]
    assert [e["type"] for e in history] == [
        "AppealReceived",
        "AppealRegistered",
        "AppealCategorised",
        "AppealAssigned",
        "AnswerDrafted",
        "AnswerApproved",
        "AnswerPublished",
        "AnswerDelivered",
        "SatisfactionRated",
    ]
    assert [e["version"] for e in history] == list(range(1, 10))
    assert all(e["actor"]["role"] == "operator" for e in history)
    assert history[0]["payload"]["citizen"] == {"redacted": True, "see": "/citizen"}
    positions = [e["position"] for e in history]
    assert positions == sorted(positions)

    assignment = history[3]
    assert {c["field"]: c["after"] for c in assignment["changes"]}["department"] == "ugkh"
    assert assignment["applied"]["deadline_policy"].startswith("federal/")  # other tests publish
    assert assignment["applied"]["calendar"].startswith("RU/")
    month = assignment["occurred_at"][:7]
    assert assignment["applied"]["methodology"] == bundled_methodology_in_force(month)
    then = client.get(f"/api/v1/appeals/{appeal_id}", params={"as_of": approved})
    assert then.status_code == 200, then.text
    assert then.json()["last_event_version"] == 6
    assert then.json()["last_event_type"] == "AnswerApproved"
    assert then.json()["last_event_position"] == history[5]["position"]
    assert then.json()["state"]["status"] == "answer_approved"
    now = client.get(
        f"/api/v1/appeals/{appeal_id}", params={"min_position": history[-1]["position"]}
    )
    assert now.status_code == 200 and now.headers["etag"] == '"9"'
    assert now.json()["satisfaction_score"] == 5


def test_if_match_with_a_stale_version_is_412_and_appends_nothing(
    client: httpx.Client, sql: Conn
) -> None:
    appeal_id = receive(client).json()["id"]
    before = event_count(sql)
    assert_problem(
        act(client, appeal_id, "register", headers={"If-Match": '"7"'}), 412, "version-mismatch"
    )
    assert event_count(sql) == before
    assert act(client, appeal_id, "register", headers={"If-Match": '"1"'}).status_code == 200


def test_a_retried_command_with_an_idempotency_key_returns_the_first_result(
    client: httpx.Client, sql: Conn
) -> None:
    key = f"retry-{uuid4()}"
    first = receive(client, **{"Idempotency-Key": key})
    count = event_count(sql)
    again = receive(client, **{"Idempotency-Key": key})
    assert again.json() == first.json() and again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    assert event_count(sql) == count
    other = client.post(
        "/api/v1/appeals", json={**NEW_MESSAGE, "text": "другое"}, headers={"Idempotency-Key": key}
    )
    assert_problem(other, 422, "idempotency-key-reused")
    assert event_count(sql) == count


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b'{"kind": "message", "channel": ', None),  # malformed JSON
        (b'{"kind": "message", "channel": "pos", "text": "x", "colour": "red"}', "invalid-request"),
        (b'{"kind": "message", "channel": "pos", "text": 42}', "invalid-request"),
        (b'{"kind": "letter", "channel": "pos", "text": "x"}', "invalid-request"),
        (b"[]", "invalid-request"),
    ],
)
def test_malformed_bodies_are_400_problems_and_append_nothing(
    client: httpx.Client, sql: Conn, content: bytes, code: str | None
) -> None:
    before = event_count(sql)
    response = client.post(
        "/api/v1/appeals", content=content, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400, code)
    assert event_count(sql) == before


def test_a_rule_of_the_domain_is_422_or_409_and_appends_nothing(
    client: httpx.Client, sql: Conn
) -> None:
    before = event_count(sql)
    wrong_channel = client.post("/api/v1/appeals", json={**NEW_MESSAGE, "channel": "vk"})
    assert (
        "cannot come through the channel"
        in assert_problem(wrong_channel, 422, "invalid-command")["detail"]
    )
    appeal_id = receive(client).json()["id"]
    before = event_count(sql)
    early = act(client, appeal_id, "answer", {"text": "x"})
    assert "registered" in assert_problem(early, 409, "rule-violated")["detail"]
    assert event_count(sql) == before


def test_a_missing_or_unknown_token_is_401(base_url: str, sql: Conn) -> None:
    before = event_count(sql)
    missing = httpx.post(f"{base_url}/api/v1/appeals", json=NEW_MESSAGE)
    assert_problem(missing, 401, "unauthenticated")
    assert missing.headers["www-authenticate"] == "Bearer"
    unknown = httpx.post(f"{base_url}/api/v1/appeals", json=NEW_MESSAGE, headers=auth("otk_nope"))
    assert_problem(unknown, 401)
    assert event_count(sql) == before


def test_a_role_that_may_not_act_gets_403(
    client: httpx.Client, base_url: str, tokens: dict[str, str], sql: Conn
) -> None:
    appeal_id = receive(client).json()["id"]
    before = event_count(sql)
    response = httpx.post(
        f"{base_url}/api/v1/appeals/{appeal_id}/register", json={}, headers=auth(tokens["auditor"])
    )
    assert "may not register" in assert_problem(response, 403, "forbidden")["detail"]
    assert event_count(sql) == before


def test_an_executor_sees_only_their_departments_appeals(
    client: httpx.Client, base_url: str, tokens: dict[str, str]
) -> None:
    appeal_id = receive(client).json()["id"]
    act(client, appeal_id, "register")
    act(client, appeal_id, "assign", {"department": "Управление ЖКХ"})
    mine = httpx.get(f"{base_url}/api/v1/appeals/{appeal_id}", headers=auth(tokens["executor"]))
    assert mine.status_code == 200
    theirs = httpx.get(
        f"{base_url}/api/v1/appeals/{appeal_id}", headers=auth(tokens["other_executor"])
    )
    assert_problem(theirs, 403)
    listed = httpx.get(f"{base_url}/api/v1/appeals", headers=auth(tokens["other_executor"]))
    assert listed.status_code == 200, listed.text
    assert all(a["department"] == "ukult" for a in listed.json()["items"])


def test_unknown_appeals_and_routes_are_404(client: httpx.Client, tokens: dict[str, str]) -> None:
    assert_problem(client.get(f"/api/v1/appeals/{uuid4()}"), 404, "not-found")
    assert_problem(act(client, str(uuid4()), "register"), 404, "not-found")
    history = client.get(f"/api/v1/appeals/{uuid4()}/history", headers=auth(tokens["auditor"]))
    assert_problem(history, 404, "not-found")
    assert_problem(act(client, str(uuid4()), "teleport"), 404)
    assert_problem(client.get("/api/v1/appeals/not-a-uuid"), 404)


def test_the_citizens_contact_is_served_to_operators_only_and_never_logged(
    client: httpx.Client, base_url: str, tokens: dict[str, str], server_log: Path
) -> None:
    appeal_id = receive(client).json()["id"]
    contact = client.get(f"/api/v1/appeals/{appeal_id}/citizen")
    assert contact.status_code == 200 and contact.json()["full_name"] == CITIZEN_NAME
    for role in ("auditor", "analyst"):
        denied = httpx.get(
            f"{base_url}/api/v1/appeals/{appeal_id}/citizen", headers=auth(tokens[role])
        )
        assert_problem(denied, 403)
    client.post("/api/v1/appeals", json={**NEW_MESSAGE, "channel": "vk"})  # an error path too
    log = server_log.read_text(encoding="utf-8")
    assert '"personal_data.read"' in log
    assert CITIZEN_NAME not in log and "912 345-67-89" not in log


def test_the_list_filters_and_pages(client: httpx.Client, tokens: dict[str, str]) -> None:
    department = f"otdel-{uuid4().hex[:6]}"  # a unit of its own, created by the administrator
    unit = {"op": "create-unit", "unit_id": department, "kind": "unit", "name": "Отдел списков"}
    created = client.post(
        "/api/v1/directory/changes",
        json={"changes": [{**unit, "parent_id": "s-test"}], "effective": "2000-01-01"},
        headers={"Authorization": f"Bearer {tokens['administrator']}"},
    )
    assert created.status_code == 200, created.text
    made = []
    for _ in range(3):
        appeal_id = receive(client).json()["id"]
        act(client, appeal_id, "register")
        position = act(client, appeal_id, "assign", {"department": department}).headers[
            "x-otklik-position"
        ]
        made.append(appeal_id)
    wait_for_view(client, int(position))
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"department": department, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/appeals", params=params).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))
    assert_problem(
        client.get("/api/v1/appeals", params={"cursor": "garbage"}), 400, "invalid-cursor"
    )
    assert_problem(client.get("/api/v1/appeals", params={"limit": 1000}), 400)


def test_openapi_health_and_projection_status(client: httpx.Client, base_url: str) -> None:
    spec = httpx.get(f"{base_url}/schema/openapi.json").json()
    assert "/api/v1/appeals/{appeal_id}/extend-deadline" in spec["paths"]
    assert httpx.get(f"{base_url}/schema").status_code == 200
    assert httpx.get(f"{base_url}/health/live").json() == {"status": "live"}
    assert httpx.get(f"{base_url}/health/ready").json()["status"] == "ready"
    statuses = client.get("/api/v1/projections").json()
    active = {s["name"]: s for s in statuses if s["active"]}
    assert {"appeals", "department_days"} <= active.keys()
    for name in ("appeals", "department_days"):  # the ones this server runs
        status = active[name]
        assert status["state"] in ("live", "stalled") and status["error"] is None
        assert status["head"] >= status["position"] and status["lag_events"] >= 0


def test_the_deadlines_of_an_appeal_with_their_provenance(client: httpx.Client) -> None:
    appeal_id = receive(client).json()["id"]
    act(client, appeal_id, "register")
    sla = client.get(f"/api/v1/appeals/{appeal_id}/sla")
    assert sla.status_code == 200, sla.text
    views = {d["deadline"]: d for d in sla.json()["deadlines"]}
    assert views["register"]["status"] == "met"
    answer = views["answer"]
    assert answer["status"] == "on_track" and answer["time_left"]["unit"] == "calendar_days"
    provenance = answer["provenance"]
    assert provenance["policy_id"] == "federal" and provenance["calendar_id"] == "RU"
    # a ПОС message is registered by the platform on receipt: its clock starts then (issue 14)
    assert provenance["anchor"]["event"] == "AppealReceived" and provenance["steps"]
    assert_problem(client.get(f"/api/v1/appeals/{uuid4()}/sla"), 404)


def test_an_appeal_counts_its_deadlines_in_its_municipalitys_time_zone(
    client: httpx.Client, sql: Conn
) -> None:
    served = client.get("/api/v1/municipalities")
    assert served.status_code == 200, served.text
    assert {(m["code"], m["timezone"], m["default"]) for m in served.json()} == {
        (None, "Europe/Moscow", True),
        ("ekaterinburg", "Asia/Yekaterinburg", False),
        ("vladivostok", "Asia/Vladivostok", False),
    }
    # An incident received at 16:00 on a Thursday in Vladivostok (06:00 UTC): 2 working hours
    # left that day, 6 the next → Friday 16:00 local.
    incident = {
        **NEW_MESSAGE,
        "kind": "incident",
        "channel": "vk",
        "external_id": "https://vk.com/wall-1_99",
        "occurred_at": "2026-04-16T16:00:00+10:00",
    }
    appeal_id = client.post(
        "/api/v1/appeals", json={**incident, "municipality": "vladivostok"}
    ).json()["id"]
    sla = client.get(f"/api/v1/appeals/{appeal_id}/sla").json()
    assert (sla["municipality"], sla["timezone"]) == ("vladivostok", "Asia/Vladivostok")
    reaction = next(d for d in sla["deadlines"] if d["deadline"] == "first_reaction")
    assert reaction["due"] == "2026-04-17T06:00:00Z"
    assert reaction["due_local"] == "2026-04-17T16:00:00+10:00"
    assert reaction["provenance"]["timezone"] == "Asia/Vladivostok"
    position = act(client, appeal_id, "register").headers["x-otklik-position"]
    listed = client.get(
        "/api/v1/sla/overdue", params={"municipality": "vladivostok", "min_position": position}
    )
    assert listed.status_code == 200, listed.text
    assert {(i["appeal_id"], i["municipality"]) for i in listed.json()["items"]} >= {
        (appeal_id, "vladivostok")
    }
    before = event_count(sql)
    unknown = client.post("/api/v1/appeals", json={**incident, "municipality": "tver"})
    detail = assert_problem(unknown, 422, "invalid-command")["detail"]
    assert "not one this deployment serves" in detail and "vladivostok" in detail
    assert "tver" not in detail  # errors never echo what was sent
    assert event_count(sql) == before


def test_overdue_and_at_risk_lists(client: httpx.Client, tokens: dict[str, str]) -> None:
    long_ago = "2026-01-12T09:00:00+03:00"
    appeal_id = client.post(
        "/api/v1/appeals",
        json={**NEW_MESSAGE, "kind": "appeal", "channel": "email", "occurred_at": long_ago},
    ).json()["id"]
    act(client, appeal_id, "register", {"occurred_at": long_ago})
    position = act(
        client, appeal_id, "assign", {"department": "prosrochki", "occurred_at": long_ago}
    ).headers["x-otklik-position"]
    overdue = client.get(
        "/api/v1/sla/overdue", params={"department": "prosrochki", "min_position": position}
    )
    assert overdue.status_code == 200, overdue.text
    items = overdue.json()["items"]
    assert [(i["appeal_id"], i["deadline"]) for i in items] == [(appeal_id, "answer")]
    at_risk = client.get("/api/v1/sla/at-risk", params={"department": "prosrochki"})
    assert at_risk.status_code == 200 and at_risk.json()["items"] == []
    mine = client.get("/api/v1/sla/overdue", headers=auth(tokens["other_executor"]))
    assert mine.status_code == 200
    assert all(i["department"] == "ukult" for i in mine.json()["items"])
    assert_problem(
        client.get(
            "/api/v1/sla/overdue",
            params={"department": "prosrochki"},
            headers=auth(tokens["other_executor"]),
        ),
        403,
    )
    assert_problem(client.get("/api/v1/sla/overdue", params={"cursor": "garbage"}), 400)
