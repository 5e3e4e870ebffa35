"""Where a message to the citizen goes: by the channel the appeal came through (the chat it came
from, the e-mail it came by), else by e-mail if one is known, else a printed letter to the postal
address, else nowhere (queued and visible, nothing lost)."""

from __future__ import annotations

import msgspec

from domain.appeals.event_parts import CitizenContact
from domain.appeals.vocabulary import Channel
from domain.outbox.events import OutboundChannel

_MESSENGERS = {"telegram": OutboundChannel.TELEGRAM, "vk": OutboundChannel.VK}


class Address(msgspec.Struct, frozen=True, kw_only=True):
    channel: OutboundChannel
    recipient: str | None  # an e-mail, a chat or peer id, a postal address
    reply_to: str | None = None  # the messenger's message the reply answers


NOWHERE = Address(channel=OutboundChannel.NONE, recipient=None)


def _messenger(contact: CitizenContact) -> Address | None:
    if not contact.messenger:
        return None
    network, _, peer = contact.messenger.partition(":")
    channel = _MESSENGERS.get(network)
    if channel is None or not peer:
        return None
    reply_to = contact.reply_to
    if reply_to is not None and not reply_to.isdigit():
        reply_to = None  # a wall comment or a conversation message id: answered in the chat
    return Address(channel=channel, recipient=peer, reply_to=reply_to)


def _email(contact: CitizenContact) -> Address | None:
    if contact.email and "@" in contact.email:
        return Address(channel=OutboundChannel.EMAIL, recipient=contact.email.strip())
    return None


def _letter(contact: CitizenContact) -> Address | None:
    if contact.postal_address and contact.postal_address.strip():
        return Address(channel=OutboundChannel.LETTER, recipient=contact.postal_address.strip())
    return None


def address_of(
    contact: CitizenContact | None, came_by: Channel, asked: Channel | None = None
) -> Address:
    """The citizen's address for a message. ``came_by``: the appeal's channel; ``asked``: the
    channel a recorded notice names (a letter, an e-mail), tried first."""
    if contact is None:
        return NOWHERE
    order = [_messenger, _email, _letter]
    preferred = asked or came_by
    if preferred is Channel.EMAIL:
        order = [_email, _messenger, _letter]
    elif preferred in (Channel.LETTER, Channel.RECEPTION):
        order = [_letter, _email, _messenger]
    for way in order:
        found = way(contact)
        if found is not None:
            return found
    return NOWHERE
