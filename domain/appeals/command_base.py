"""What every appeal command shares: the ``Command`` base, the input twins of the event's
contact and place, and the annotated types the commands' fields use.

Commands are msgspec structs that refuse unknown fields and hold to the input domain (the API's
request bodies map to them). ``occurred_at`` is the business time of the act when it differs from
now (a letter received yesterday); it defaults to now. ``action`` is what the rules' messages call
the act. Everyone imports them through ``domain.appeals.commands``; this module imports neither of
the others (no cycle).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

import msgspec

from domain.appeals.events import CitizenContact, Place
from domain.shared.inputs import Input, line, text

Tag = Annotated[str, line(100)]
Evidence = Annotated[str, text(2000)]


class CitizenContactInput(CitizenContact, Input, frozen=True, kw_only=True, gc=False):
    """The citizen's contact as a command gives it (the event stores a plain CitizenContact)."""

    full_name: Annotated[str, line(300)] | None = None
    phone: Annotated[str, line(50)] | None = None
    email: Annotated[str, line(300)] | None = None
    postal_address: Annotated[str, text(1000)] | None = None
    messenger: Annotated[str, line(100)] | None = None
    reply_to: Annotated[str, line(200)] | None = None
    messenger_files: (
        Annotated[tuple[Annotated[str, line(500)], ...], msgspec.Meta(max_length=20)] | None
    ) = None


class PlaceInput(Place, Input, frozen=True, kw_only=True, gc=False):
    """Where the problem is, as a command gives it (the event stores a plain Place)."""

    address: Annotated[str, line(1000)] | None = None
    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None


class Command(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action: ClassVar[str]  # what the rules' messages call the act: "may not register"

    occurred_at: datetime | None = None
