"""What the appeals' request bodies share: ``AppealRequest`` (``occurred_at``), the input twins of
the citizen's contact and the place, the annotated types, and ``AppealAction``, one row of the
table of routes. The input rules are the domain's (``domain.shared.inputs``). Imported through
``api.schemas.appeal_commands``; this module imports neither of the others (no cycle)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from api.schemas.common import Action
from domain.appeals import commands as cmd
from domain.shared.inputs import Input, line, text

Tag = Annotated[str, line(100)]
Evidence = Annotated[str, text(2000)]


class CitizenContactInput(Input, frozen=True, kw_only=True, gc=False):
    full_name: Annotated[str, line(300)] | None = None
    phone: Annotated[str, line(50)] | None = None
    email: Annotated[str, line(300)] | None = None
    postal_address: Annotated[str, text(1000)] | None = None
    messenger: Annotated[str, line(100)] | None = None  # "telegram:<chat id>", "vk:<peer id>"
    reply_to: Annotated[str, line(200)] | None = None  # the message the reply answers
    # the files sent on the messenger, as its references
    messenger_files: (
        Annotated[tuple[Annotated[str, line(500)], ...], msgspec.Meta(max_length=20)] | None
    ) = None


class PlaceInput(Input, frozen=True, kw_only=True, gc=False):
    address: Annotated[str, line(1000)] | None = None
    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None


class AppealRequest(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``occurred_at``: the business time of the act when it differs from now (a letter received
    yesterday); it defaults to now."""

    occurred_at: datetime | None = None


AppealAction = Action[Any, cmd.Command]
