"""The VK Callback API (https://dev.vk.com/ru/api/callback/getting-started): the envelope every
call has (``type``, ``group_id``, ``secret``, ``event_id`` in newer API versions, ``object``), and
the incident a new message (``message_new``) or a new comment on the community's wall
(``wall_reply_new``) becomes. Unknown fields are ignored; other types are answered and dropped."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from api.webhooks.common import clean_text, sent_at
from domain.appeals.commands import CitizenContactInput, PlaceInput, ReceiveAppeal
from domain.appeals.vocabulary import Channel, Kind

Text = Annotated[str, msgspec.Meta(max_length=100_000)]
Key = Annotated[str, msgspec.Meta(max_length=300)]
PHOTO_ONLY = "Фотография без подписи"
LOCATION_ONLY = "Геопозиция без текста"
CHATS_FROM = 2_000_000_000  # a peer id from here on is a group chat, not a person


class Call(msgspec.Struct, frozen=True, kw_only=True):
    type: Annotated[str, msgspec.Meta(max_length=100)]
    group_id: int
    secret: Key | None = None
    event_id: Key | None = None
    v: Annotated[str, msgspec.Meta(max_length=20)] | None = None
    object: dict[str, Any] | None = None


class Photo(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    owner_id: int
    access_key: Key | None = None


class Attachment(msgspec.Struct, frozen=True, kw_only=True):
    type: Annotated[str, msgspec.Meta(max_length=50)]
    photo: Photo | None = None


class Coordinates(msgspec.Struct, frozen=True, kw_only=True):
    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)]


class Geo(msgspec.Struct, frozen=True, kw_only=True):
    coordinates: Coordinates | None = None


class Message(msgspec.Struct, frozen=True, kw_only=True):
    id: int  # the community's id of the message (0 in a group chat)
    date: int
    peer_id: int
    from_id: int
    text: Text = ""
    conversation_message_id: int | None = None
    attachments: list[Attachment] = msgspec.field(default_factory=list)
    geo: Geo | None = None


class MessageNew(msgspec.Struct, frozen=True, kw_only=True):
    message: Message  # API 5.103 and later (earlier ones sent the message as the object)


class WallReply(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    from_id: int
    post_id: int
    owner_id: int
    date: int
    text: Text = ""
    attachments: list[Attachment] = msgspec.field(default_factory=list)


class Item(msgspec.Struct, frozen=True, kw_only=True):
    """What a call reports, to be received under ``key`` (its event id, else its external id)."""

    key: str
    command: ReceiveAppeal


def parse(body: bytes) -> Call:
    return msgspec.json.decode(body, type=Call)


def _photos(attachments: list[Attachment]) -> tuple[str, ...] | None:
    """``vk:photo<owner>_<id>[_<access key>]``: the form VK's own API names a photo by."""
    refs = tuple(
        f"vk:photo{a.photo.owner_id}_{a.photo.id}"
        + (f"_{a.photo.access_key}" if a.photo.access_key else "")
        for a in attachments
        if a.type == "photo" and a.photo is not None
    )
    return refs[:20] or None


def _command(
    text: str | None,
    files: tuple[str, ...] | None,
    place: PlaceInput | None,
    **fields: Any,
) -> ReceiveAppeal | None:
    if text is None and files is None and place is None:
        return None
    return ReceiveAppeal(
        kind=Kind.INCIDENT,
        channel=Channel.VK,
        text=text or (PHOTO_ONLY if files else LOCATION_ONLY),
        place=place,
        **fields,
    )


def _message(call: Call, message: Message, now: datetime) -> Item | None:
    # The community's message id names the message within the community; in a group chat
    # (id 0) the chat's own numbering does. A private dialog's peer id is the person's own: it
    # is kept only in the citizen's contact.
    if message.id:
        external, reply_to = f"vk:msg:{call.group_id}:{message.id}", str(message.id)
    else:
        cmid = message.conversation_message_id or 0
        external = f"vk:chat:{call.group_id}:{message.peer_id}:{cmid}"
        reply_to = f"cmid:{cmid}"
    coordinates = message.geo.coordinates if message.geo else None
    place = None
    if coordinates is not None:
        place = PlaceInput(latitude=coordinates.latitude, longitude=coordinates.longitude)
    files = _photos(message.attachments)
    command = _command(
        clean_text(message.text),
        files,
        place,
        external_id=external,
        citizen=CitizenContactInput(
            messenger=f"vk:{message.peer_id}", reply_to=reply_to, messenger_files=files
        ),
        occurred_at=sent_at(message.date, now),
    )
    return None if command is None else Item(key=call.event_id or external, command=command)


def _wall_reply(call: Call, reply: WallReply, now: datetime) -> Item | None:
    if reply.from_id < 0:
        return None  # a community's comment (the municipality's own answers among them)
    external = f"vk:wall:{reply.owner_id}_{reply.post_id}:{reply.id}"
    files = _photos(reply.attachments)
    command = _command(
        clean_text(reply.text),
        files,
        None,
        external_id=external,
        citizen=CitizenContactInput(
            messenger=f"vk:{reply.from_id}",
            reply_to=f"wall:{reply.owner_id}_{reply.post_id}:{reply.id}",
            messenger_files=files,
        ),
        occurred_at=sent_at(reply.date, now),
    )
    return None if command is None else Item(key=call.event_id or external, command=command)


def to_item(call: Call, now: datetime) -> Item | None:
    """The incident a call reports (None: a type not handled, or nothing to record).
    ``msgspec.ValidationError``: its object is not of the documented shape."""
    if call.type == "message_new" and call.object is not None:
        new = call.object
        if "message" in new:
            message = msgspec.convert(new, MessageNew).message
        else:
            message = msgspec.convert(new, Message)
        return _message(call, message, now)
    if call.type == "wall_reply_new" and call.object is not None:
        return _wall_reply(call, msgspec.convert(call.object, WallReply), now)
    return None
