"""The outbox through HTTP: a registration confirmation queued for an appeal received by e-mail
(no SMTP relay configured here: it waits, visible), listed for operators with its address and
text, for auditors without them; a retry of a message that is not a dead letter is a 409, of
none a 404; an executor may not read the outbox."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from tests.api.test_appeals_api import auth

pytestmark = pytest.mark.integration
EMAILED: dict[str, Any] = {
    "kind": "appeal",
    "channel": "email",
    "text": "Прошу отремонтировать освещение во дворе",
    "citizen": {"full_name": "Сидоров С. С.", "email": "sidorov@example.org"},
}


def outbox_running(client: httpx.Client) -> None:
    """The outbox reactor starts at the log's head when first registered: wait for it."""
    for _ in range(100):
        found = [p for p in client.get("/api/v1/projections").json() if p["name"] == "outbox"]
        if found and found[0]["active"]:
            return
        time.sleep(0.1)
    raise AssertionError("the outbox reactor did not start")


def queued_for(client: httpx.Client, appeal_id: str) -> list[dict[str, Any]]:
    """The appeal's messages once the outbox reactor and view have them (bounded wait)."""
    answer = None
    for _ in range(100):
        answer = client.get("/api/v1/outbox", params={"appeal_id": appeal_id})
        if answer.status_code == 200 and answer.json():
            return list(answer.json())
        time.sleep(0.1)
    status = [p for p in client.get("/api/v1/projections").json() if "outbox" in p["name"]]
    raise AssertionError(f"no message was queued for the appeal: {status}")


def test_operators_see_the_queued_confirmation_and_auditors_see_no_personal_data(
    client: httpx.Client, tokens: dict[str, str]
) -> None:
    outbox_running(client)
    created = client.post("/api/v1/appeals", json=EMAILED)
    assert created.status_code == 201, created.text
    appeal_id = created.json()["id"]
    registered = client.post(f"/api/v1/appeals/{appeal_id}/register", json={})
    assert registered.status_code == 200, registered.text
    found = queued_for(client, appeal_id)
    assert len(found) == 1, [(m["purpose"], m["trigger"], m["id"]) for m in found]
    (message,) = found
    assert message["purpose"] == "registration_confirmation"
    assert message["status"] == "queued"  # no relay configured: it waits, nothing is lost
    assert message["recipient"] == "sidorov@example.org"
    assert "зарегистрировано" in message["body"]

    seen = client.get(
        "/api/v1/outbox", params={"appeal_id": appeal_id}, headers=auth(tokens["auditor"])
    ).json()
    assert seen[0]["id"] == message["id"]
    assert seen[0]["recipient"] is None and seen[0]["body"] is None
    assert "sidorov" not in str(seen)

    retried = client.post(f"/api/v1/outbox/{message['id']}/retry", json={})
    assert retried.status_code == 409
    assert retried.headers["content-type"].startswith("application/problem+json")
    missing = client.post(f"/api/v1/outbox/{uuid.uuid4()}/printed", json={})
    assert missing.status_code == 404
    refused = client.get("/api/v1/outbox", headers=auth(tokens["executor"]))
    assert refused.status_code == 403
    bad = client.get("/api/v1/outbox", params={"status": "lost"})
    assert bad.status_code == 400
