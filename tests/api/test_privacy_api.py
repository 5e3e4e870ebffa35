"""Erasure through HTTP (issue 18): only the information-protection administrator erases; a body
naming neither or both an appeal and a subject is a 422, an appeal with nothing to erase a 404;
after an erasure the citizen's contact and the appeal's history read as the placeholder."""

from __future__ import annotations

import httpx
import pytest

from domain.shared.actors import Role
from infra.container import Container
from tests.api.test_appeals_api import auth

pytestmark = pytest.mark.integration
NAME, PHONE = "Белова Ольга Сергеевна", "+7 915 303-40-50"


def test_the_security_administrator_erases_an_appeal_and_the_reads_show_the_placeholder(
    client: httpx.Client, tokens: dict[str, str], container: Container
) -> None:
    security, _ = container.tokens.create(role=Role.SECURITY_ADMIN, name="Тест ИБ")
    created = client.post(
        "/api/v1/appeals",
        json={
            "kind": "appeal",
            "channel": "email",
            "text": f"{NAME}, {PHONE}: не вывозят мусор",
            "citizen": {"full_name": NAME, "phone": PHONE},
        },
    )
    assert created.status_code == 201, created.text
    appeal_id = created.json()["id"]
    body = {"ground": "citizen_request", "appeal_id": appeal_id}
    assert client.post("/api/v1/privacy/erasures", json=body).status_code == 403
    as_security = auth(security)
    neither = client.post(
        "/api/v1/privacy/erasures", json={"ground": "retention"}, headers=as_security
    )
    assert neither.status_code == 422, neither.text
    unknown = client.post(
        "/api/v1/privacy/erasures",
        json={"ground": "retention", "appeal_id": "00000000-0000-0000-0000-000000000007"},
        headers=as_security,
    )
    assert unknown.status_code == 404, unknown.text
    bad_ground = client.post(
        "/api/v1/privacy/erasures", json={**body, "ground": "whim"}, headers=as_security
    )
    assert bad_ground.status_code in (400, 422) and "whim" not in bad_ground.text

    erased = client.post("/api/v1/privacy/erasures", json=body, headers=as_security)

    assert erased.status_code == 201, erased.text
    answer = erased.json()
    assert answer["appeal_ids"] == [appeal_id] and answer["keys"] == 1
    assert answer["placeholder"].startswith("[персональные данные удалены ")
    citizen = client.get(f"/api/v1/appeals/{appeal_id}/citizen")
    assert citizen.status_code == 200 and citizen.json()["full_name"] == answer["placeholder"]
    assert PHONE not in citizen.text
    history = client.get(f"/api/v1/appeals/{appeal_id}/history", headers=auth(tokens["auditor"]))
    assert history.status_code == 200, history.text
    assert NAME not in history.text and answer["placeholder"] in history.text
    again = client.post("/api/v1/privacy/erasures", json=body, headers=as_security)
    assert again.status_code == 404
