"""The Telegram webhook through the real server: Bot API updates of their documented shapes become
incidents; a retried delivery appends nothing; a wrong secret is refused and appends nothing; the
chat and the text reach no answer and no log line (VK: test_vk_webhook_api.py)."""

from __future__ import annotations

import copy
import itertools
import json
import secrets
from pathlib import Path
from typing import Any

import httpx
import msgspec
import psycopg
import pytest
from eventsourcing.persistence import StoredEvent

from infra.container import Container
from tests.api.conftest import TELEGRAM_SECRET
from tests.api.test_appeals_api import assert_problem, auth

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]
TELEGRAM = "/api/v1/intake/telegram"
SECRET = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
# Ids of this run's own (the session's database is shared by the API tests).
IDS = itertools.count(secrets.randbelow(10**8) * 1000)

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


def update(**message: Any) -> dict[str, Any]:
    """The documented update under new ids, its message changed by ``message``."""
    body = copy.deepcopy(UPDATE)
    body["update_id"] = next(IDS)
    body["message"]["message_id"] = next(IDS)
    body["message"].update(message)
    return body


def intake_events(sql: Conn, channel: str) -> int:
    row = sql.execute(
        "SELECT count(*) FROM otklik_events"
        " WHERE convert_from(state, 'UTF8')::json->'actor'->>'id' = %s",
        (f"intake:{channel}",),
    ).fetchone()
    assert row is not None
    return int(str(row[0]))


def last_received(container: Container, channel: str) -> dict[str, Any]:
    """The last event the channel's intake recorded, as the codec reads it (its personal fields
    are sealed in the log: issue 18)."""
    with container.pool.connection() as conn:
        row = conn.execute(
            "SELECT originator_id, originator_version, topic, state FROM otklik_events"
            " WHERE convert_from(state, 'UTF8')::json->'actor'->>'id' = %s"
            " ORDER BY notification_id DESC LIMIT 1",
            (f"intake:{channel}",),
        ).fetchone()
    assert row is not None
    stored = StoredEvent(row[0], row[1], row[2], bytes(row[3]))
    decoded = container.appeals.mapper.to_domain_event(stored)
    event: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(decoded))
    return event


def tg(base_url: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(
        f"{base_url}{TELEGRAM}", json=body, headers=SECRET if headers is None else headers
    )


def test_a_documented_telegram_text_message_becomes_an_incident_with_the_chat_to_reply_to(
    base_url: str, sql: Conn, container: Container
) -> None:
    body = update()
    before = intake_events(sql, "telegram")
    answer = tg(base_url, body)
    assert answer.status_code == 200, answer.text
    assert intake_events(sql, "telegram") == before + 1
    event = last_received(container, "telegram")
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


def test_a_caption_a_photo_and_a_location_land_on_the_incident(
    base_url: str, sql: Conn, container: Container
) -> None:
    photo = [
        {"file_id": "AgAD-small", "file_unique_id": "AQAD-s", "width": 90, "height": 67},
        {"file_id": "AgAD-large", "file_unique_id": "AQAD-l", "width": 1280, "height": 960},
        {"file_id": "AgAD-mid", "file_unique_id": "AQAD-m", "width": 320, "height": 240},
    ]
    body = update(text=None, caption="Яма на дороге", photo=photo)
    body["message"].pop("text")
    body["message"]["location"] = {"latitude": 56.8389, "longitude": 60.6057}
    assert tg(base_url, body).status_code == 200
    event = last_received(container, "telegram")
    assert event["text"] == "Яма на дороге"
    assert event["citizen"]["messenger_files"] == ["telegram:photo:AQAD-l:AgAD-large"]
    assert event["place"]["latitude"] == 56.8389 and event["place"]["longitude"] == 60.6057


def test_a_photo_or_a_location_alone_is_an_incident_too(
    base_url: str, sql: Conn, container: Container
) -> None:
    photo = [{"file_id": "AgAD-only", "file_unique_id": "AQAD-o", "width": 800, "height": 600}]
    alone = update(photo=photo)
    alone["message"].pop("text")
    assert tg(base_url, alone).status_code == 200
    assert last_received(container, "telegram")["text"] == "Фотография без подписи"
    located = update(location={"latitude": 55.75, "longitude": 37.61})
    located["message"].pop("text")
    assert tg(base_url, located).status_code == 200
    assert last_received(container, "telegram")["place"]["latitude"] == 55.75


def test_a_channel_post_is_named_by_its_channel_and_message(
    base_url: str, sql: Conn, container: Container
) -> None:
    post = update()
    message = post.pop("message")
    message.pop("from")
    message["chat"] = {"id": -1001234567890, "title": "Новости района", "type": "channel"}
    post["channel_post"] = message
    assert tg(base_url, post).status_code == 200
    event = last_received(container, "telegram")
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
    base_url: str, sql: Conn, container: Container, server_log: Path, tokens: dict[str, str]
) -> None:
    chat_id = 7_000_000_000 + secrets.randbelow(10**9)
    text = f"Особая метка {secrets.token_hex(6)}"
    body = update(text=text)
    body["message"]["chat"]["id"] = body["message"]["from"]["id"] = chat_id
    start = server_log.stat().st_size
    answers = [tg(base_url, body) for _ in range(2)]
    assert all(a.status_code == 200 and str(chat_id) not in a.text for a in answers)
    event = last_received(container, "telegram")
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
