"""ст.10 ч.2 and ст.12 ч.2 59-ФЗ through HTTP: a request for information sent and answered, an
extension by the head citing it, refused to an operator and refused a second time, each refusal
naming the article."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.api.test_appeals_api import act, assert_problem, auth

pytestmark = pytest.mark.integration
LETTER: dict[str, Any] = {"kind": "appeal", "channel": "email", "text": "Прошу проверить кафе"}


def test_a_request_for_information_and_an_extension_citing_it(
    client: httpx.Client, tokens: dict[str, str]
) -> None:
    created = client.post("/api/v1/appeals", json=LETTER)
    assert created.status_code == 201, created.text
    appeal_id = created.json()["id"]
    assert act(client, appeal_id, "register").status_code == 200
    sent = act(
        client,
        appeal_id,
        "request-information",
        {"to_body": "Роспотребнадзор", "what": "Акт проверки кафе"},
    )
    assert sent.status_code == 200, sent.text
    (request,) = sent.json()["information_requests"]
    assert request["replied_at"] is None and request["reply_due"] > request["sent_at"]
    extension = {
        "days": 30,
        "ground": "information_requested",
        "reason": "Ждём акт Роспотребнадзора",
        "information_request_id": request["id"],
        "citizen_notified_at": datetime.now(UTC).isoformat(),
    }
    refused = act(client, appeal_id, "extend-deadline", extension)  # the operator's token
    assert "may not extend-deadline" in assert_problem(refused, 403, "forbidden")["detail"]
    head = auth(tokens["head"])
    extended = act(client, appeal_id, "extend-deadline", extension, headers=head)
    assert extended.status_code == 200, extended.text
    again = act(client, appeal_id, "extend-deadline", extension, headers=head)
    assert assert_problem(again, 409)["detail"].startswith("ст.12 ч.2 59-ФЗ:")
    replied = act(
        client,
        appeal_id,
        "record-information-reply",
        {"request_id": request["id"], "summary": "Акт получен, 3 листа"},
    )
    assert replied.status_code == 200, replied.text
    assert replied.json()["information_requests"][0]["replied_at"] is not None
    twice = act(
        client,
        appeal_id,
        "record-information-reply",
        {"request_id": request["id"], "summary": "Ещё раз"},
    )
    assert assert_problem(twice, 409)["detail"].startswith("ст.10 ч.2 59-ФЗ:")
