"""Replies through the messengers' APIs to the chat an item came from: Telegram Bot API
``sendMessage`` and VK ``messages.send`` (its ``random_id`` derived from the message's id, so VK
itself drops a repeat). The API's base URL is a setting (a test points it at a local server)."""

from __future__ import annotations

from typing import Any

import httpx

from domain.outbox.sending import Accepted, Refused
from domain.outbox.state import Message

TELEGRAM_LIMIT = 4096  # characters of one message's text
VK_LIMIT = 4096
VK_VERSION = "5.199"


def _text(message: Message) -> str:
    return f"{message.subject}\n\n{message.body}".strip()


def _chunks(text: str, limit: int) -> list[str]:
    """The text in pieces the API takes, cut at line breaks where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n")
    return [*pieces, text] if text else pieces


def _post(client: httpx.Client, url: str, what: str, **kwargs: Any) -> Any:
    try:
        response = client.post(url, **kwargs)
        return response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise Refused(f"{what} connection: {type(error).__name__}") from None


class TelegramSender:
    def __init__(self, token: str, api: str = "https://api.telegram.org", timeout: float = 30.0):
        self.url = f"{api.rstrip('/')}/bot{token}/sendMessage"
        self.timeout = timeout

    def send(self, message: Message) -> Accepted:
        first: str | None = None
        with httpx.Client(timeout=self.timeout) as client:
            for n, piece in enumerate(_chunks(_text(message), TELEGRAM_LIMIT)):
                body: dict[str, Any] = {"chat_id": message.recipient, "text": piece}
                if n == 0 and message.reply_to and message.reply_to.isdigit():
                    body["reply_parameters"] = {
                        "message_id": int(message.reply_to),
                        "allow_sending_without_reply": True,
                    }
                answer = _post(client, self.url, "telegram", json=body)
                if not isinstance(answer, dict) or not answer.get("ok"):
                    code = answer.get("error_code") if isinstance(answer, dict) else None
                    # 400 (no such chat) and 403 (the bot is blocked) will not pass on retry
                    raise Refused(f"telegram {code or 'error'}", permanent=code in (400, 403))
                result = answer.get("result") or {}
                if first is None:
                    first = str(result.get("message_id", "")) or None
        return Accepted(reference=first)


def vk_random_id(message: Message) -> int:
    """A stable random_id for messages.send: VK drops a second message with the same one."""
    return int(message.message_id.hex[:8], 16) & 0x7FFFFFFF


class VkSender:
    def __init__(self, token: str, api: str = "https://api.vk.com", timeout: float = 30.0):
        self.url = f"{api.rstrip('/')}/method/messages.send"
        self.token = token
        self.timeout = timeout

    def send(self, message: Message) -> Accepted:
        first: str | None = None
        with httpx.Client(timeout=self.timeout) as client:
            for n, piece in enumerate(_chunks(_text(message), VK_LIMIT)):
                data = {
                    "peer_id": message.recipient or "",
                    "random_id": str(vk_random_id(message) + n),
                    "message": piece,
                    "access_token": self.token,
                    "v": VK_VERSION,
                }
                answer = _post(client, self.url, "vk", data=data)
                if not isinstance(answer, dict) or "error" in answer:
                    error = answer.get("error") if isinstance(answer, dict) else None
                    code = error.get("error_code") if isinstance(error, dict) else None
                    # 901: the user has not allowed messages from the community
                    raise Refused(f"vk {code or 'error'}", permanent=code in (7, 900, 901, 902))
                if first is None:
                    first = str(answer.get("response", "")) or None
        return Accepted(reference=first)
