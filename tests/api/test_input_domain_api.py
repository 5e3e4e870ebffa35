"""The issue's reproducers over HTTP: each is a 4xx problem that names no value, and nothing is
appended; the read models keep answering."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
import pytest

from tests.api.test_appeals_api import act, assert_problem, auth, receive
from tests.api.test_claims_api import NEW_CLAIM
from tests.conftest import event_count

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]
SOURCE = NEW_CLAIM["sources"][0]


def refused(response: httpx.Response, status: int = 400) -> dict[str, Any]:
    body = assert_problem(response, status)
    assert "\x00" not in response.text and "\\u0000" not in response.text
    return body


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("categorise", {"topic": "t\u0000x", "essence": "e"}),
        ("assign", {"department": "Управление\u0000ЖКХ"}),
        ("register", {"registration_number": "О-1\u0000"}),
        ("pause", {"reason": "ждём", "occurred_at": "0001-01-01T00:00:00Z"}),
        (
            "forward",
            {"to_body": "МВД", "reason": "r", "citizen_notified_at": "0001-01-01T00:00:00+14:00"},
        ),
    ],
)
def test_an_appeal_command_the_views_cannot_hold_is_refused_and_appends_nothing(
    client: httpx.Client, sql: Conn, action: str, body: dict[str, Any]
) -> None:
    appeal_id = receive(client).json()["id"]
    before = event_count(sql)
    refused(act(client, appeal_id, action, body))
    assert event_count(sql) == before


def test_claims_with_nul_text_endless_reach_or_year_one_are_refused(
    client: httpx.Client, tokens: dict[str, str], sql: Conn
) -> None:
    before = event_count(sql)
    for claim in (
        {**NEW_CLAIM, "text": "фейк\u0000"},
        {**NEW_CLAIM, "sources": [{**SOURCE, "reach": 18446744073709551615}]},
        {**NEW_CLAIM, "sources": [{**SOURCE, "first_seen": "0001-01-01T00:00:00Z"}]},
    ):
        refused(client.post("/api/v1/claims", json=claim, headers=auth(tokens["curator"])))
    assert event_count(sql) == before


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_calendar_day_outside_the_years_is_refused_and_the_calendar_still_answers(
    client: httpx.Client, tokens: dict[str, str], sql: Conn, day: str
) -> None:
    before = event_count(sql)
    body = {"day": day, "kind": "holiday", "reason": "xyz"}
    refused(client.post("/api/v1/calendar/days", json=body, headers=auth(tokens["curator"])))
    assert event_count(sql) == before
    assert client.get("/api/v1/calendar/2026").status_code == 200
    assert_problem(client.get("/api/v1/calendar/9999"), 404)


def test_a_receipt_in_year_one_is_refused(client: httpx.Client, sql: Conn) -> None:
    before = event_count(sql)
    body = {
        "kind": "appeal",
        "channel": "email",
        "text": "т",
        "occurred_at": "0001-01-01T00:00:00Z",
    }
    refused(client.post("/api/v1/appeals", json=body))
    assert event_count(sql) == before


def test_a_registration_number_is_taken_once(client: httpx.Client, sql: Conn) -> None:
    first, second = receive(client).json()["id"], receive(client).json()["id"]
    number = {"registration_number": f"ВХ-{first[:8]}"}
    assert act(client, first, "register", number).status_code == 200
    before = event_count(sql)
    problem = assert_problem(act(client, second, "register", number), 409)
    assert problem["type"] == "urn:otklik:problem:registration-number-taken"
    assert first[:8] not in problem["detail"]
    assert event_count(sql) == before


def test_texts_are_stored_normalised(client: httpx.Client) -> None:
    appeal_id = receive(client).json()["id"]
    assert act(client, appeal_id, "register").status_code == 200
    body = {"topic": "  Освещение ", "essence": "  е\u0308лка не горит  "}
    state = act(client, appeal_id, "categorise", body)
    assert state.status_code == 200, state.text
    assert state.json()["topic"] == "Освещение" and state.json()["essence"] == "ёлка не горит"
