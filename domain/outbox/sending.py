"""What a channel's sender promises the delivery worker: it accepts a message (with the
channel's id of it) or refuses it with a reason that names the kind of failure, never the
server's text (which may echo the address)."""

from __future__ import annotations

from typing import Protocol

import msgspec

from domain.outbox.state import Message


class Accepted(msgspec.Struct, frozen=True, kw_only=True):
    reference: str | None  # the channel's id of it: SMTP Message-ID, Telegram message_id
    delivered: bool = True  # the acceptance confirms the delivery (see MessageDelivered)


class Refused(Exception):
    """The channel refused the message: ``permanent`` when another attempt cannot succeed."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Sender(Protocol):
    def send(self, message: Message) -> Accepted:
        """Send ``message`` once (raise Refused, or let a connection error out)."""
