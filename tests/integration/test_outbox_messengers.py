"""Replies through the messengers' APIs against a real local HTTP server speaking their shapes:
the Bot API's ``sendMessage`` (``{"ok": true, "result": {...}}``) receives the reply to a
Telegram-born appeal in the chat it came from, answering the citizen's message; VK's
``messages.send`` receives it for a VK-born one with a ``random_id`` fixed by the message's id."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs

import pytest

from domain.appeals import commands as cmd
from domain.appeals.application import AppealsApplication
from domain.appeals.vocabulary import Channel, Kind, Status
from domain.outbox.events import Purpose, message_stream
from infra.container import Container
from infra.database import ConnectionInfo
from tests.support.appeals import ASSIGN, CATEGORISE, OPERATOR, receive
from tests.support.outbox import answer, outbox_container, outbox_database, settle

pytestmark = pytest.mark.integration
TOKEN = "123456:TEST-token"


class Api(BaseHTTPRequestHandler):
    calls: ClassVar[list[tuple[str, dict[str, Any]]]] = []

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == f"/bot{TOKEN}/sendMessage":
            body = json.loads(raw)
            result = {"message_id": 9000 + len(Api.calls), "chat": {"id": body["chat_id"]}}
            answer: dict[str, Any] = {"ok": True, "result": result}
        elif self.path == "/method/messages.send":
            body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            answer = {"response": 7000 + len(Api.calls)}
        else:
            self.send_error(404)
            return
        Api.calls.append((self.path, body))
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def messengers(db_server: ConnectionInfo) -> Iterator[Container]:
    server = HTTPServer(("127.0.0.1", 0), Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    env = {
        "OTKLIK_TELEGRAM_TOKEN": TOKEN,
        "OTKLIK_TELEGRAM_API": url,
        "OTKLIK_VK_TOKEN": "vk-test-token",
        "OTKLIK_VK_API": url,
    }
    try:
        with outbox_database(db_server) as info, outbox_container(info, **env) as container:
            yield container
    finally:
        server.shutdown()


def messenger_appeal(app: AppealsApplication, channel: Channel, peer: str, reply_to: str) -> Any:
    contact = cmd.CitizenContactInput(messenger=f"{channel.value}:{peer}", reply_to=reply_to)
    received = app.receive(
        receive(
            Kind.INCIDENT, channel, citizen=contact, external_id=f"{channel}:{peer}:{reply_to}"
        ),
        actor=OPERATOR,
        idempotency=None,
    )
    for command in (cmd.RegisterAppeal(), CATEGORISE, ASSIGN):
        app.handle(received.state.id, command, actor=OPERATOR)
    return received.state.id


def test_the_reply_to_a_telegram_appeal_goes_to_its_chat_through_send_message(
    messengers: Container,
) -> None:
    app = messengers.appeals
    Api.calls.clear()
    appeal_id = messenger_appeal(app, Channel.TELEGRAM, "-100987654", "42")
    published = answer(app, appeal_id, "Яма на ул. Мира заделана.")
    settle(messengers)
    sent = [body for path, body in Api.calls if path.endswith("/sendMessage")]
    assert [b["chat_id"] for b in sent] == ["-100987654", "-100987654"]
    confirmation, reply = sent
    assert "зарегистрировано" in confirmation["text"]
    assert "Яма на ул. Мира заделана." in reply["text"]
    assert reply["reply_parameters"] == {"message_id": 42, "allow_sending_without_reply": True}
    message_id = message_stream(appeal_id, published, Purpose.ANSWER)
    message = messengers.outbox.service.message(message_id)
    assert message is not None
    assert message.reference == "9001"  # Telegram's message_id of the reply
    assert app.state(appeal_id).status is Status.ANSWER_DELIVERED


def test_the_reply_to_a_vk_appeal_goes_by_messages_send_with_a_fixed_random_id(
    messengers: Container,
) -> None:
    app = messengers.appeals
    Api.calls.clear()
    appeal_id = messenger_appeal(app, Channel.VK, "2000000007", "315")
    published = answer(app, appeal_id, "Освещение во дворе восстановлено.")
    settle(messengers)
    sent = [body for path, body in Api.calls if path == "/method/messages.send"]
    assert [b["peer_id"] for b in sent] == ["2000000007", "2000000007"]
    reply = sent[1]
    assert "Освещение во дворе восстановлено." in reply["message"]
    message_id = message_stream(appeal_id, published, Purpose.ANSWER)
    assert reply["random_id"] == str(int(message_id.hex[:8], 16) & 0x7FFFFFFF)
    assert app.state(appeal_id).status is Status.ANSWER_DELIVERED
