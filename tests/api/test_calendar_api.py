"""The production calendar through HTTP: read a year, correct a day, bad input changes nothing."""

from __future__ import annotations

import httpx
import pytest

from tests.api.test_appeals_api import assert_problem, auth

pytestmark = pytest.mark.integration


def test_a_year_of_the_calendar(client: httpx.Client) -> None:
    response = client.get("/api/v1/calendar/2025")  # a year no test corrects
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["working_days"] == 247 and body["working_hours"] == 1972
    kinds = {d["day"]: d["kind"] for d in body["days"]}
    assert kinds["2025-01-07"] == "holiday" and kinds["2025-04-30"] == "shortened"
    assert kinds["2025-11-01"] == "shortened"  # the working Saturday before 4 November
    assert response.headers["etag"] == f'"{body["version"]}"'
    assert_problem(client.get("/api/v1/calendar/1999"), 404)


def test_correcting_a_day(client: httpx.Client, tokens: dict[str, str]) -> None:
    version = client.get("/api/v1/calendar/2026").json()["version"]
    day = {
        "day": "2026-10-30",
        "kind": "day_off",
        "note": "День города",
        "reason": "Постановление главы о переносе",
    }
    operator = client.post("/api/v1/calendar/days", json=day)
    assert_problem(operator, 403)
    curator = auth(tokens["curator"])
    stale = client.post(
        "/api/v1/calendar/days", json=day, headers={**curator, "If-Match": f'"{version - 1}"'}
    )
    assert_problem(stale, 412, "version-mismatch")
    assert_problem(
        client.post("/api/v1/calendar/days", json={**day, "colour": "red"}, headers=curator), 400
    )
    assert_problem(
        client.post("/api/v1/calendar/days", json={**day, "reason": ""}, headers=curator), 400
    )
    assert client.get("/api/v1/calendar/2026").json()["version"] == version  # nothing changed
    done = client.post(
        "/api/v1/calendar/days", json=day, headers={**curator, "If-Match": f'"{version}"'}
    )
    assert done.status_code == 200, done.text
    assert done.json()["version"] == version + 1 and done.json()["day"]["kind"] == "day_off"
    again = client.post("/api/v1/calendar/days", json=day, headers=curator)
    assert_problem(again, 409)


def test_sla_policies_are_read_and_published(client: httpx.Client, tokens: dict[str, str]) -> None:
    federal = client.get("/api/v1/sla/policies/federal")
    assert federal.status_code == 200, federal.text
    body = federal.json()
    assert body["in_force"] is True and body["policy"]["version"] >= 1
    rules = body["policy"]["rules"]
    assert_problem(client.get("/api/v1/sla/policies/nowhere"), 404)
    regional = {
        "title": "Сроки Республики: ЖКХ — 5 дней",
        "rules": [
            *rules,
            {
                "deadline": "answer",
                "kinds": ["message"],
                "topic": "ЖКХ",
                "anchor": "AppealRegistered",
                "amount": 5,
                "unit": "calendar_days",
            },
        ],
        "note": "Постановление главы региона",
    }
    curator = auth(tokens["curator"])
    assert_problem(client.post("/api/v1/sla/policies/region-01", json=regional), 403)
    too_long = {**regional, "max_extension_days": 45}
    assert_problem(
        client.post("/api/v1/sla/policies/region-01", json=too_long, headers=curator), 422
    )
    no_answer = {**regional, "rules": [r for r in rules if r["deadline"] != "answer"]}
    assert_problem(
        client.post("/api/v1/sla/policies/region-01", json=no_answer, headers=curator), 422
    )
    assert_problem(
        client.post("/api/v1/sla/policies/region-01", json={**regional, "x": 1}, headers=curator),
        400,
    )
    assert client.get("/api/v1/sla/policies/region-01").status_code == 404  # nothing written
    done = client.post(
        "/api/v1/sla/policies/region-01", json=regional, headers={**curator, "If-Match": '"0"'}
    )
    assert done.status_code == 201, done.text
    assert done.json()["version"] == 1 and done.headers["etag"] == '"1"'
    read = client.get("/api/v1/sla/policies/region-01").json()
    assert read["in_force"] is False and len(read["policy"]["rules"]) == len(rules) + 1
    stale = client.post(
        "/api/v1/sla/policies/region-01", json=regional, headers={**curator, "If-Match": '"0"'}
    )
    assert_problem(stale, 412)
