"""The Telegram Bot API ``Update`` (https://core.telegram.org/bots/api#update), the part of it
Otklik reads, and the incident a new message or channel post becomes. Telegram adds fields to its
objects: unknown ones are ignored. Edits (``edited_message``, ``edited_channel_post``) and every
other kind of update are answered and dropped: the incident keeps the text as first received."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from api.webhooks.common import clean_line, clean_text, sent_at
from domain.appeals.commands import CitizenContactInput, PlaceInput, ReceiveAppeal
from domain.appeals.vocabulary import Channel, Kind

FileRef = Annotated[str, msgspec.Meta(max_length=300)]
Text = Annotated[str, msgspec.Meta(max_length=100_000)]
PHOTO_ONLY = "Фотография без подписи"
LOCATION_ONLY = "Геопозиция без текста"


class User(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    is_bot: bool = False
    first_name: Text = ""
    last_name: Text | None = None


class Chat(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    type: Annotated[str, msgspec.Meta(max_length=50)]  # private, group, supergroup, channel


class PhotoSize(msgspec.Struct, frozen=True, kw_only=True):
    file_id: FileRef
    file_unique_id: FileRef
    width: int
    height: int
    file_size: int | None = None


class Location(msgspec.Struct, frozen=True, kw_only=True):
    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)]


class Message(msgspec.Struct, frozen=True, kw_only=True):
    message_id: int
    date: int  # Unix seconds
    chat: Chat
    sender: User | None = msgspec.field(default=None, name="from")
    text: Text | None = None
    caption: Text | None = None
    photo: list[PhotoSize] | None = None  # the sizes of one photo
    location: Location | None = None


class Update(msgspec.Struct, frozen=True, kw_only=True):
    update_id: int
    message: Message | None = None
    edited_message: Message | None = None
    channel_post: Message | None = None
    edited_channel_post: Message | None = None


def parse(body: bytes) -> Update:
    """The update (msgspec.ValidationError or DecodeError: not an Update)."""
    return msgspec.json.decode(body, type=Update)


def external_id(update: Update, message: Message) -> str:
    """The message's id on the channel. A group's or a channel's id names no person and goes into
    it; a private chat's id is the person's own, so its messages are named by the update instead
    (the chat id is kept only in the citizen's contact)."""
    if message.chat.type == "private":
        return f"tg:update:{update.update_id}"
    return f"tg:{message.chat.id}:{message.message_id}"


def _photo(message: Message) -> tuple[str, ...] | None:
    """The largest size's references: ``telegram:photo:<file_unique_id>:<file_id>``."""
    if not message.photo:
        return None
    largest = max(message.photo, key=lambda size: (size.width * size.height, size.file_size or 0))
    return (f"telegram:photo:{largest.file_unique_id}:{largest.file_id}",)


def _name(sender: User | None) -> str | None:
    if sender is None:
        return None
    return clean_line(" ".join(p for p in (sender.first_name, sender.last_name) if p), 300)


def to_command(update: Update, now: datetime) -> ReceiveAppeal | None:
    """The incident a new message or channel post reports (None: nothing to record: an edit,
    another kind of update, or a message with no text, caption, photo or location)."""
    message = update.message or update.channel_post
    if message is None:
        return None
    files = _photo(message)
    text = clean_text(message.text) or clean_text(message.caption)
    if text is None and files is None and message.location is None:
        return None  # a sticker, a voice message, a service message: not handled yet
    place = None
    if message.location is not None:
        place = PlaceInput(latitude=message.location.latitude, longitude=message.location.longitude)
    return ReceiveAppeal(
        kind=Kind.INCIDENT,
        channel=Channel.TELEGRAM,
        text=text or (PHOTO_ONLY if files else LOCATION_ONLY),
        external_id=external_id(update, message),
        citizen=CitizenContactInput(
            full_name=_name(message.sender),
            messenger=f"telegram:{message.chat.id}",
            reply_to=str(message.message_id),
            messenger_files=files,
        ),
        place=place,
        occurred_at=sent_at(message.date, now),
    )
