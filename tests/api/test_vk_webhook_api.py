"""The VK Callback API route through the real server: the confirmation handshake, new messages and
wall comments of their documented shapes become incidents, once per event; a wrong secret is
refused and appends nothing."""

from __future__ import annotations

import copy
import json
import secrets
from typing import Any

import httpx
import pytest

from infra.container import Container
from tests.api.conftest import VK_CONFIRMATION, VK_SECRET
from tests.api.test_appeals_api import assert_problem
from tests.api.test_webhooks_api import IDS, Conn, intake_events, last_received

pytestmark = pytest.mark.integration
VK = "/api/v1/intake/vk"

# A VK Callback API call of API version 5.131: a new message to the community.
MESSAGE_NEW: dict[str, Any] = {
    "group_id": 214167102,
    "type": "message_new",
    "event_id": "da1b15e9f6d0c3c8a0c937e048cdd3e2b43794d0",
    "v": "5.131",
    "secret": VK_SECRET,
    "object": {
        "message": {
            "date": 1683278670,
            "from_id": 612444319,
            "id": 517,
            "out": 0,
            "attachments": [],
            "conversation_message_id": 2169,
            "fwd_messages": [],
            "important": False,
            "is_hidden": False,
            "peer_id": 612444319,
            "random_id": 0,
            "text": "На остановке у школы не горят фонари",
        },
        "client_info": {
            "button_actions": ["text", "vkpay", "open_app", "location", "open_link"],
            "keyboard": True,
            "inline_keyboard": True,
            "carousel": True,
            "lang_id": 0,
        },
    },
}
WALL_REPLY_NEW: dict[str, Any] = {
    "group_id": 214167102,
    "type": "wall_reply_new",
    "event_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c",
    "v": "5.131",
    "secret": VK_SECRET,
    "object": {
        "id": 9001,
        "from_id": 612444319,
        "date": 1683278700,
        "text": "А когда отремонтируют дорогу на Садовой?",
        "post_id": 321,
        "owner_id": -214167102,
        "parents_stack": [],
        "thread": {"count": 0},
    },
}


def vk_call(template: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = copy.deepcopy(template)
    body["event_id"] = secrets.token_hex(20)
    target = body["object"].get("message", body["object"])
    target["id"] = next(IDS)
    target.update(fields)
    return body


def vk(base_url: str, body: Any) -> httpx.Response:
    return httpx.post(f"{base_url}{VK}", json=body)


def test_the_vk_confirmation_call_is_answered_with_the_confirmation_string(
    base_url: str,
) -> None:
    answer = vk(base_url, {"type": "confirmation", "group_id": 214167102})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.text == VK_CONFIRMATION


def test_a_documented_vk_message_new_becomes_an_incident_answered_ok(
    base_url: str, sql: Conn, container: Container
) -> None:
    body = vk_call(MESSAGE_NEW)
    before = intake_events(sql, "vk")
    answer = vk(base_url, body)
    assert (answer.status_code, answer.text) == (200, "ok")
    assert intake_events(sql, "vk") == before + 1
    event = last_received(container, "vk")
    message = body["object"]["message"]
    assert event["kind"] == "incident" and event["channel"] == "vk"
    assert event["text"] == message["text"]
    assert event["external_id"] == f"vk:msg:214167102:{message['id']}"
    assert event["citizen"]["messenger"] == "vk:612444319"
    assert event["citizen"]["reply_to"] == str(message["id"])


def test_a_vk_message_with_a_photo_and_a_place_keeps_them(
    base_url: str, sql: Conn, container: Container
) -> None:
    photo = {"type": "photo", "photo": {"id": 457239017, "owner_id": 612444319, "sizes": []}}
    geo = {"type": "point", "coordinates": {"latitude": 59.93, "longitude": 30.31}}
    assert vk(base_url, vk_call(MESSAGE_NEW, attachments=[photo], geo=geo)).text == "ok"
    event = last_received(container, "vk")
    assert event["citizen"]["messenger_files"] == ["vk:photo612444319_457239017"]
    assert event["place"]["latitude"] == 59.93


def test_a_vk_wall_reply_becomes_an_incident_named_by_its_post_and_comment(
    base_url: str, sql: Conn, container: Container
) -> None:
    body = vk_call(WALL_REPLY_NEW)
    assert vk(base_url, body).text == "ok"
    event = last_received(container, "vk")
    comment = body["object"]["id"]
    assert event["external_id"] == f"vk:wall:-214167102_321:{comment}"
    assert event["citizen"]["reply_to"] == f"wall:-214167102_321:{comment}"
    assert event["text"] == WALL_REPLY_NEW["object"]["text"]


def test_a_repeated_vk_event_id_appends_nothing(base_url: str, sql: Conn) -> None:
    body = vk_call(MESSAGE_NEW)
    assert vk(base_url, body).text == "ok"
    after_first = intake_events(sql, "vk")
    assert vk(base_url, body).text == "ok"
    without_event_id = {k: v for k, v in body.items() if k != "event_id"}
    assert vk(base_url, without_event_id).text == "ok"  # older versions: by the external id
    assert vk(base_url, without_event_id).text == "ok"
    assert intake_events(sql, "vk") == after_first + 1


@pytest.mark.parametrize("secret", [None, "wrong", ""], ids=["none", "wrong", "empty"])
def test_a_vk_call_without_the_secret_is_403_and_appends_nothing(
    base_url: str, sql: Conn, secret: str | None
) -> None:
    body = vk_call(MESSAGE_NEW)
    body.pop("secret")
    if secret is not None:
        body["secret"] = secret
    before = intake_events(sql, "vk")
    assert_problem(vk(base_url, body), 403, "bad-secret")
    assert intake_events(sql, "vk") == before


def test_a_community_comment_and_other_vk_types_are_answered_ok_and_dropped(
    base_url: str, sql: Conn
) -> None:
    before = intake_events(sql, "vk")
    ours = vk_call(WALL_REPLY_NEW, from_id=-214167102)  # the municipality's own answer
    join = {"type": "group_join", "group_id": 1, "secret": VK_SECRET, "object": {"user_id": 5}}
    assert vk(base_url, ours).text == vk(base_url, join).text == "ok"
    assert intake_events(sql, "vk") == before


def test_a_vk_object_not_of_the_documented_shape_is_400_naming_no_value(
    base_url: str, sql: Conn
) -> None:
    body = vk_call(MESSAGE_NEW)
    body["object"]["message"]["peer_id"] = "+7 (912) 555-01-23"
    before = intake_events(sql, "vk")
    problem = assert_problem(vk(base_url, body), 400, "invalid-body")
    assert "555" not in json.dumps(problem)
    assert intake_events(sql, "vk") == before
