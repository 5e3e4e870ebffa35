"""Retention over HTTP (issue 18): the report of what expires is for the information-protection
administrator, the head and auditors, and shows no citizen's data; a legal hold is placed and
lifted by the administrator or the head, with its version as the ETag and 409 on a repeat."""

from __future__ import annotations

import httpx
import pytest

from domain.shared.actors import Role
from infra.container import Container
from tests.api.test_appeals_api import auth

pytestmark = pytest.mark.integration
NAME = "Орлова Вера Ильинична"


def test_the_report_and_a_legal_hold_round_trip(
    client: httpx.Client, tokens: dict[str, str], container: Container
) -> None:
    security, _ = container.tokens.create(role=Role.SECURITY_ADMIN, name="Тест ИБ")
    as_security = auth(security)
    created = client.post(
        "/api/v1/appeals",
        json={
            "kind": "appeal",
            "channel": "email",
            "text": f"{NAME}: не вывозят мусор",
            "citizen": {"full_name": NAME, "email": "orlova@example.org"},
        },
    )
    assert created.status_code == 201, created.text
    appeal_id = created.json()["id"]

    report = client.get("/api/v1/retention/expiring", headers=as_security)
    assert report.status_code == 200 and isinstance(report.json(), list)
    assert NAME not in report.text
    assert client.get("/api/v1/retention/expiring", headers=auth(tokens["auditor"])).is_success
    refused = client.get("/api/v1/retention/expiring", headers=auth(tokens["operator"]))
    assert refused.status_code == 403
    backwards = client.get(
        "/api/v1/retention/expiring?from=2030-02-01&to=2030-01-01", headers=as_security
    )
    assert backwards.status_code == 422 and "2030" not in backwards.json()["detail"]

    hold = f"/api/v1/retention/holds/{appeal_id}"
    assert client.get(hold, headers=as_security).status_code == 404
    ground = {"ground": "дело № А40-12345/2027"}
    assert (
        client.post(f"{hold}/place", json=ground, headers=auth(tokens["operator"])).status_code
        == 403
    )
    placed = client.post(f"{hold}/place", json=ground, headers=as_security)
    assert placed.status_code == 200, placed.text
    assert placed.json()["held"] is True and placed.headers["ETag"] == '"1"'
    again = client.post(f"{hold}/place", json=ground, headers=as_security)
    assert again.status_code == 409
    stale = client.post(
        f"{hold}/lift", json={"ground": "решение"}, headers={**as_security, "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    lifted = client.post(
        f"{hold}/lift",
        json={"ground": "решение"},
        headers={**auth(tokens["head"]), "If-Match": '"1"'},
    )
    assert lifted.status_code == 200 and lifted.json()["held"] is False
    read = client.get(hold, headers=auth(tokens["auditor"]))
    assert read.status_code == 200 and read.headers["ETag"] == '"2"'
    unknown = client.post(
        "/api/v1/retention/holds/00000000-0000-0000-0000-000000000009/place",
        json=ground,
        headers=as_security,
    )
    assert unknown.status_code == 404
