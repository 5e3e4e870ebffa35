"""An appeal's history as an auditor reads it: every event in order with its stream version, log
position, type, business and recorded time, actor and role, payload (the citizen's contact details
redacted: they have their own audited route), the change it made to the appeal's state, and the
deadline policy, calendar and time zone in force at that step."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import msgspec

from domain.appeals.events import AppealEvent, AppealReceived
from domain.appeals.state import AppealState, evolve
from domain.shared.actors import Actor

_ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "occurred_at", "actor"})
_NOT_CHANGES = frozenset({"version", "last_recorded_at"})


class Change(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    field: str
    before: Any = None
    after: Any = None


class Applied(msgspec.Struct, frozen=True, kw_only=True):
    """What governed the appeal's deadlines at this step."""

    deadline_policy: str  # id/version, e.g. "federal/1"
    calendar: str | None  # id/version of the production calendar of the last computation
    timezone: str | None
    methodology: str | None = None  # the rating methodology in force (none is published yet)


class HistoryStep(msgspec.Struct, frozen=True, kw_only=True):
    position: int
    version: int
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: Actor
    payload: dict[str, Any]
    changes: list[Change]
    applied: Applied


def payload_of(event: AppealEvent) -> dict[str, Any]:
    payload = {k: v for k, v in msgspec.to_builtins(event).items() if k not in _ENVELOPE}
    if isinstance(event, AppealReceived) and event.citizen is not None:
        payload["citizen"] = {"redacted": True, "see": "/citizen"}
    return payload


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """The fields whose values differ, in the state's field order."""
    return [
        Change(field=name, before=before.get(name), after=value)
        for name, value in after.items()
        if name not in _NOT_CHANGES and before.get(name) != value
    ]


def replay(
    recorded: Sequence[tuple[int, AppealEvent]],
    *,
    types: Collection[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[HistoryStep]:
    """Every step of the history (``recorded``: (log position, event) in version order), or those
    of the given ``types`` with a business time in [``since``, ``until``). Filters never change
    what a step says: each is computed on the whole history."""
    steps = []
    state: AppealState | None = None
    before: dict[str, Any] = {}
    calendar: str | None = None
    timezone: str | None = None
    for position, event in recorded:
        state = evolve(state, event)
        after = msgspec.to_builtins(state)
        for computed in getattr(event, "deadlines", ()):
            p = computed.provenance
            calendar, timezone = f"{p.calendar_id}/{p.calendar_version}", p.timezone
        timezone = state.timezone or timezone
        name = type(event).__name__
        wanted = (
            (types is None or name in types)
            and (since is None or event.occurred_at >= since)
            and (until is None or event.occurred_at < until)
        )
        if wanted:
            steps.append(
                HistoryStep(
                    position=position,
                    version=event.originator_version,
                    type=name,
                    occurred_at=event.occurred_at,
                    recorded_at=event.timestamp,
                    actor=event.actor,
                    payload=payload_of(event),
                    changes=diff(before, after),
                    applied=Applied(
                        deadline_policy=state.deadline_policy,
                        calendar=calendar,
                        timezone=timezone,
                    ),
                )
            )
        before = after
    return steps
