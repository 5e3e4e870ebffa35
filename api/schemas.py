"""Response bodies and header helpers shared by the controllers."""

from __future__ import annotations

import re
from datetime import datetime
from uuid import UUID

import msgspec

from api.errors import ApiProblem
from domain.appeals.state import AppealState
from domain.audit.history import HistoryStep
from projections.appeals import AppealSummary


class AppealHistory(msgspec.Struct, frozen=True, kw_only=True):
    appeal_id: UUID
    version: int  # the appeal's current version (all its events, whatever the filters)
    events: list[HistoryStep]


class AppealList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[AppealSummary]
    next_cursor: str | None
    position: int


class AsOfState(msgspec.Struct, frozen=True, kw_only=True):
    as_of: datetime
    last_event_version: int  # the last event applied: recorded at or before ``as_of``
    last_event_type: str
    last_event_position: int
    last_event_recorded_at: datetime
    state: AppealState


# A version in an ETag: ASCII digits only (str.isdigit also takes "²", which int() refuses).
_VERSION = re.compile(r"[0-9]{1,18}", re.ASCII)


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None) -> int | None:
    """The version an ``If-Match`` header asks for; None when absent or ``*``."""
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not _VERSION.fullmatch(value):
        raise ApiProblem(
            400,
            "invalid-if-match",
            "Bad If-Match",
            'If-Match must be an ETag this API returned, such as "3"',
        )
    return int(value)


def require_offset(name: str, moment: datetime | None) -> None:
    """A time given in a query must say its offset (``2026-03-01T12:00:00+03:00``)."""
    if moment is not None and moment.tzinfo is None:
        raise ApiProblem(
            400,
            f"invalid-{name.replace('_', '-')}",
            f"Bad {name}",
            f"{name} must carry a time zone offset, such as 2026-03-01T12:00:00Z",
        )
