"""The structs the appeal's events carry: the citizen's contact (personal data, in one struct so it
can be protected whole), the place of the problem, and a notice to the citizen as a recorded act."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from domain.appeals.vocabulary import Channel, NoticeRecipient


class CitizenContact(
    msgspec.Struct, frozen=True, kw_only=True, gc=False, forbid_unknown_fields=True
):
    """The citizen's personal data (152-ФЗ), kept in this one struct so it can be protected whole."""

    full_name: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=50)] | None = None
    email: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    postal_address: Annotated[str, msgspec.Meta(max_length=1000)] | None = None
    # Issue 16: a messenger's reply address ("telegram:<chat id>", "vk:<peer id>"), what the
    # reply answers there (a message id, or a VK wall comment "wall:<owner>_<post>:<comment>"),
    # and the files the citizen sent there, as the messenger's references (fetched later).
    messenger: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    reply_to: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    messenger_files: tuple[Annotated[str, msgspec.Meta(max_length=500)], ...] | None = None


class Place(msgspec.Struct, frozen=True, kw_only=True, gc=False, forbid_unknown_fields=True):
    """Where the problem is (not the citizen's address)."""

    address: Annotated[str, msgspec.Meta(max_length=1000)] | None = None
    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None


class CitizenNotice(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A notice to the citizen as a recorded act (the outbound issue delivers it): what it tells,
    to whom (never their contact: that stays in ``AppealReceived``), by which channel, when,
    and the template its text is made from."""

    what: str
    to: NoticeRecipient
    channel: Channel
    at: datetime
    template_id: str
