"""A real SMTP server for the outbox's tests (aiosmtpd, on a free local port): it keeps every
message it accepted and refuses the recipients it is told to refuse with 550."""

from __future__ import annotations

import contextlib
import email
import email.policy
import socket
import threading
from collections.abc import Callable, Iterator
from email.message import EmailMessage, Message
from typing import Any

from aiosmtpd.controller import Controller


class Mailbox:
    """The server's handler: ``received`` in arrival order; ``refuse`` the addresses it refuses;
    ``on_data`` is called with each message accepted before the server answers 250."""

    def __init__(self) -> None:
        self.received: list[Message] = []
        self.refused: list[str] = []  # every RCPT refused, in order
        self.refuse: set[str] = set()
        self.on_data: Callable[[Message], None] | None = None
        self.lock = threading.Lock()

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            with self.lock:
                self.refused.append(address)
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        with self.lock:
            self.received.append(message)
        if self.on_data is not None:
            self.on_data(message)
        return "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.received]

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.received if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def text_of(message: Message) -> str:
    assert isinstance(message, EmailMessage)
    content = message.get_content()
    assert isinstance(content, str)
    return content
