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
