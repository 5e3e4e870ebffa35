"""Response bodies and header helpers shared by the controllers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from api.errors import ApiProblem
from domain.appeals.events import AppealEvent, AppealReceived
from domain.appeals.state import AppealState
from domain.shared.actors import Actor
from projections.appeals import AppealSummary

_ENVELOPE = {"originator_id", "originator_version", "timestamp", "occurred_at", "actor"}


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    position: int
    version: int
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: Actor
    payload: dict[str, Any]


class AppealHistory(msgspec.Struct, frozen=True, kw_only=True):
    appeal_id: UUID
    events: list[HistoryEntry]


class AppealList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[AppealSummary]
    next_cursor: str | None
    position: int


class AsOfState(msgspec.Struct, frozen=True, kw_only=True):
    as_of: datetime
    last_event_version: int
    state: AppealState


def history_entry(position: int, event: AppealEvent) -> HistoryEntry:
    payload = {k: v for k, v in msgspec.to_builtins(event).items() if k not in _ENVELOPE}
    if isinstance(event, AppealReceived) and event.citizen is not None:
        # Personal data has its own, audited route.
        payload["citizen"] = {"redacted": True, "see": "/citizen"}
    return HistoryEntry(
        position=position,
        version=event.originator_version,
        type=type(event).__name__,
        occurred_at=event.occurred_at,
        recorded_at=event.timestamp,
        actor=event.actor,
        payload=payload,
    )


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
    if not value.isdigit():
        raise ApiProblem(
            400,
            "invalid-if-match",
            "Bad If-Match",
            'If-Match must be an ETag this API returned, such as "3"',
        )
    return int(value)
