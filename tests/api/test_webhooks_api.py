"""The messenger webhooks through the real server: Telegram Bot API updates and VK Callback API
calls of their documented shapes become incidents; a retried delivery appends nothing; a wrong
secret is refused and appends nothing; the chat and the text reach no answer and no log line."""

from __future__ import annotations

import copy
import itertools
import json
import secrets
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.api.conftest import TELEGRAM_SECRET, VK_CONFIRMATION, VK_SECRET
from tests.api.test_appeals_api import assert_problem, auth

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]
TELEGRAM = "/api/v1/intake/telegram"
VK = "/api/v1/intake/vk"
SECRET = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
# Ids of this run's own (the session's database is shared by the API tests).
_IDS = itertools.count(secrets.randbelow(10**8) * 1000)

# The Bot API's documented shape of an Update with a private text message (core.telegram.org/
# bots/api#update, #message, #chat, #user), fields Otklik does not read among them.
UPDATE: dict[str, Any] = {
    "update_id": 10000,
    "message": {
        "message_id": 1365,
        "from": {
            "id": 1111111,
            "is_bot": False,
            "first_name": "Иван",
            "last_name": "Петров",
            "username": "ivan_petrov",
            "language_code": "ru",
        },
        "chat": {
            "id": 1111111,
            "first_name": "Иван",
            "last_name": "Петров",
            "username": "ivan_petrov",
            "type": "private",
        },
        "date": 1441645532,
        "text": "Во дворе дома 5 по ул. Ленина не вывозят мусор неделю",
    },
}
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


def update(**message: Any) -> dict[str, Any]:
    """The documented update under new ids, its message changed by ``message``."""
    body = copy.deepcopy(UPDATE)
    body["update_id"] = next(_IDS)
    body["message"]["message_id"] = next(_IDS)
    body["message"].update(message)
    return body


def vk_call(template: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = copy.deepcopy(template)
    body["event_id"] = secrets.token_hex(20)
    target = body["object"].get("message", body["object"])
    target["id"] = next(_IDS)
    target.update(fields)
    return body


def intake_events(sql: Conn, channel: str) -> int:
    row = sql.execute(
        "SELECT count(*) FROM otklik_events"
        " WHERE convert_from(state, 'UTF8')::json->'actor'->>'id' = %s",
        (f"intake:{channel}",),
    ).fetchone()
    assert row is not None
    return int(str(row[0]))


def last_received(sql: Conn, channel: str) -> dict[str, Any]:
    row = sql.execute(
        "SELECT convert_from(state, 'UTF8') FROM otklik_events"
        " WHERE convert_from(state, 'UTF8')::json->'actor'->>'id' = %s"
        " ORDER BY notification_id DESC LIMIT 1",
        (f"intake:{channel}",),
    ).fetchone()
    assert row is not None
    event: dict[str, Any] = json.loads(str(row[0]))
    return event


def tg(base_url: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(
        f"{base_url}{TELEGRAM}", json=body, headers=SECRET if headers is None else headers
    )


def vk(base_url: str, body: Any) -> httpx.Response:
    return httpx.post(f"{base_url}{VK}", json=body)


def test_a_documented_telegram_text_message_becomes_an_incident_with_the_chat_to_reply_to(
    base_url: str, sql: Conn
) -> None:
    body = update()
    before = intake_events(sql, "telegram")
    answer = tg(base_url, body)
    assert answer.status_code == 200, answer.text
    assert intake_events(sql, "telegram") == before + 1
    event = last_received(sql, "telegram")
    assert event["kind"] == "incident" and event["channel"] == "telegram"
    assert event["text"] == UPDATE["message"]["text"]
    assert event["external_id"] == f"tg:update:{body['update_id']}"  # a private chat: no id
    assert event["citizen"]["messenger"] == "telegram:1111111"
    assert event["citizen"]["reply_to"] == str(body["message"]["message_id"])
    assert event["citizen"]["full_name"] == "Иван Петров"


def test_a_replayed_update_id_answers_200_and_appends_nothing(base_url: str, sql: Conn) -> None:
    body = update()
    assert tg(base_url, body).status_code == 200
    after_first = intake_events(sql, "telegram")
    for _ in range(3):  # Telegram retries on any answer but 2xx: the retry meets the first result
        assert tg(base_url, body).status_code == 200
    assert intake_events(sql, "telegram") == after_first


def test_an_update_id_reused_for_another_message_is_still_recorded_once(
    base_url: str, sql: Conn
) -> None:
    first = update()
    other = update(text="Другое сообщение под тем же номером обновления")
    other["update_id"] = first["update_id"]  # a new bot's ids, or a restarted sequence
    before = intake_events(sql, "telegram")
    assert tg(base_url, first).status_code == 200
    assert tg(base_url, other).status_code == 200
    assert tg(base_url, other).status_code == 200
    assert intake_events(sql, "telegram") == before + 2


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Telegram-Bot-Api-Secret-Token": "zz-guess"}, {"X-Telegram-Bot-Api-Secret-Token": ""}],
    ids=["none", "wrong", "empty"],
)
def test_a_telegram_update_without_the_secret_is_403_and_appends_nothing(
    base_url: str, sql: Conn, headers: dict[str, str]
) -> None:
    before = intake_events(sql, "telegram")
    problem = assert_problem(tg(base_url, update(), headers), 403, "bad-secret")
    assert "zz-guess" not in json.dumps(problem)
    assert intake_events(sql, "telegram") == before


def test_the_secret_comes_before_the_body_is_read(base_url: str) -> None:
    answer = httpx.post(
        f"{base_url}{TELEGRAM}",
        content=b'{"update_id": "zzfield"}',
        headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
    )
    assert_problem(answer, 403, "bad-secret")
    assert "zzfield" not in answer.text


def test_a_malformed_update_is_400_naming_no_value(base_url: str, sql: Conn) -> None:
    before = intake_events(sql, "telegram")
    body = update()
    body["message"]["chat"]["id"] = "+7 (912) 555-01-23"
    problem = assert_problem(tg(base_url, body), 400, "invalid-body")
    assert "555" not in json.dumps(problem) and "message.chat.id" in problem["detail"]
    assert intake_events(sql, "telegram") == before


def test_a_caption_a_photo_and_a_location_land_on_the_incident(base_url: str, sql: Conn) -> None:
    photo = [
        {"file_id": "AgAD-small", "file_unique_id": "AQAD-s", "width": 90, "height": 67},
        {"file_id": "AgAD-large", "file_unique_id": "AQAD-l", "width": 1280, "height": 960},
        {"file_id": "AgAD-mid", "file_unique_id": "AQAD-m", "width": 320, "height": 240},
    ]
    body = update(text=None, caption="Яма на дороге", photo=photo)
    body["message"].pop("text")
    body["message"]["location"] = {"latitude": 56.8389, "longitude": 60.6057}
    assert tg(base_url, body).status_code == 200
    event = last_received(sql, "telegram")
    assert event["text"] == "Яма на дороге"
    assert event["citizen"]["messenger_files"] == ["telegram:photo:AQAD-l:AgAD-large"]
    assert event["place"]["latitude"] == 56.8389 and event["place"]["longitude"] == 60.6057


def test_a_photo_or_a_location_alone_is_an_incident_too(base_url: str, sql: Conn) -> None:
    photo = [{"file_id": "AgAD-only", "file_unique_id": "AQAD-o", "width": 800, "height": 600}]
    alone = update(photo=photo)
    alone["message"].pop("text")
    assert tg(base_url, alone).status_code == 200
    assert last_received(sql, "telegram")["text"] == "Фотография без подписи"
    located = update(location={"latitude": 55.75, "longitude": 37.61})
    located["message"].pop("text")
    assert tg(base_url, located).status_code == 200
    assert last_received(sql, "telegram")["place"]["latitude"] == 55.75


def test_a_channel_post_is_named_by_its_channel_and_message(base_url: str, sql: Conn) -> None:
    post = update()
    message = post.pop("message")
    message.pop("from")
    message["chat"] = {"id": -1001234567890, "title": "Новости района", "type": "channel"}
    post["channel_post"] = message
    assert tg(base_url, post).status_code == 200
    event = last_received(sql, "telegram")
    assert event["external_id"] == f"tg:-1001234567890:{message['message_id']}"
    assert event["citizen"]["full_name"] is None


@pytest.mark.parametrize(
    "kind", ["edited_message", "sticker", "callback_query"], ids=lambda k: str(k)
)
def test_updates_not_handled_are_answered_200_and_append_nothing(
    base_url: str, sql: Conn, kind: str
) -> None:
    body = update()
    if kind == "edited_message":
        body["edited_message"] = body.pop("message")
    elif kind == "sticker":
        body["message"].pop("text")
        body["message"]["sticker"] = {"file_id": "CAAD", "file_unique_id": "AgAD", "type": "x"}
    else:
        body.pop("message")
        body["callback_query"] = {"id": "4382", "from": UPDATE["message"]["from"], "data": "1"}
    before = intake_events(sql, "telegram")
    assert tg(base_url, body).status_code == 200
    assert intake_events(sql, "telegram") == before


def test_no_answer_history_or_log_line_shows_the_chat_id_or_the_text(
    base_url: str, sql: Conn, server_log: Path, tokens: dict[str, str]
) -> None:
    chat_id = 7_000_000_000 + secrets.randbelow(10**9)
    text = f"Особая метка {secrets.token_hex(6)}"
    body = update(text=text)
    body["message"]["chat"]["id"] = body["message"]["from"]["id"] = chat_id
    start = server_log.stat().st_size
    answers = [tg(base_url, body) for _ in range(2)]
    assert all(a.status_code == 200 and str(chat_id) not in a.text for a in answers)
    event = last_received(sql, "telegram")
    assert event["citizen"]["messenger"] == f"telegram:{chat_id}"
    appeal_id = sql.execute(
        "SELECT originator_id FROM otklik_events"
        " WHERE convert_from(state, 'UTF8')::json->'actor'->>'id' = 'intake:telegram'"
        " ORDER BY notification_id DESC LIMIT 1"
    ).fetchone()
    assert appeal_id is not None
    headers = auth(tokens["head"])
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        appeal = client.get(f"/api/v1/appeals/{appeal_id[0]}")
        history = client.get(f"/api/v1/appeals/{appeal_id[0]}/history")
        assert appeal.status_code == history.status_code == 200, history.text
        assert str(chat_id) not in appeal.text and str(chat_id) not in history.text
        citizen = client.get(f"/api/v1/appeals/{appeal_id[0]}/citizen")  # recorded as a read
        assert citizen.json()["messenger"] == f"telegram:{chat_id}"
    with server_log.open("rb") as log:
        log.seek(start)
        logged = log.read().decode("utf-8", "replace")
    assert str(chat_id) not in logged and text not in logged
    assert '"intake"' in logged  # the receipt is logged, by its appeal id


def test_the_vk_confirmation_call_is_answered_with_the_confirmation_string(
    base_url: str,
) -> None:
    answer = vk(base_url, {"type": "confirmation", "group_id": 214167102})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.text == VK_CONFIRMATION


def test_a_documented_vk_message_new_becomes_an_incident_answered_ok(
    base_url: str, sql: Conn
) -> None:
    body = vk_call(MESSAGE_NEW)
    before = intake_events(sql, "vk")
    answer = vk(base_url, body)
    assert (answer.status_code, answer.text) == (200, "ok")
    assert intake_events(sql, "vk") == before + 1
    event = last_received(sql, "vk")
    message = body["object"]["message"]
    assert event["kind"] == "incident" and event["channel"] == "vk"
    assert event["text"] == message["text"]
    assert event["external_id"] == f"vk:msg:214167102:{message['id']}"
    assert event["citizen"]["messenger"] == "vk:612444319"
    assert event["citizen"]["reply_to"] == str(message["id"])


def test_a_vk_message_with_a_photo_and_a_place_keeps_them(base_url: str, sql: Conn) -> None:
    photo = {"type": "photo", "photo": {"id": 457239017, "owner_id": 612444319, "sizes": []}}
    geo = {"type": "point", "coordinates": {"latitude": 59.93, "longitude": 30.31}}
    assert vk(base_url, vk_call(MESSAGE_NEW, attachments=[photo], geo=geo)).text == "ok"
    event = last_received(sql, "vk")
    assert event["citizen"]["messenger_files"] == ["vk:photo612444319_457239017"]
    assert event["place"]["latitude"] == 59.93


def test_a_vk_wall_reply_becomes_an_incident_named_by_its_post_and_comment(
    base_url: str, sql: Conn
) -> None:
    body = vk_call(WALL_REPLY_NEW)
    assert vk(base_url, body).text == "ok"
    event = last_received(sql, "vk")
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
