"""An appeal's history as an auditor reads it: every event in order with its stream version, log
position, type, business and recorded time, actor and role, payload (the citizen's contact details
redacted: they have their own audited route), the change it made to the appeal's state, and the
deadline policy, calendar and time zone in force at that step."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from itertools import compress
from operator import ne
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
    methodology: str | None = None  # the rating methodology in force for the step's month


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


_NAMES = AppealState.__struct_fields__
_SKIP = frozenset(i for i, name in enumerate(_NAMES) if name in _NOT_CHANGES)


def diff(before: AppealState | None, after: AppealState) -> list[Change]:
    """The fields whose values differ, in the state's field order (values as JSON data). The
    comparison runs field by field in C (``map(ne, …)``): the history route's hot loop."""
    builtins = msgspec.to_builtins
    new = msgspec.structs.astuple(after)
    if before is None:
        return [
            Change(field=_NAMES[i], after=builtins(value))
            for i, value in enumerate(new)
            if value is not None and i not in _SKIP
        ]
    old = msgspec.structs.astuple(before)
    return [
        Change(field=_NAMES[i], before=builtins(old[i]), after=builtins(new[i]))
        for i in compress(range(len(new)), map(ne, old, new))
        if i not in _SKIP
    ]


def replay(
    recorded: Sequence[tuple[int, AppealEvent]],
    *,
    types: Collection[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    methodology_for: Callable[[str], str | None] | None = None,
) -> list[HistoryStep]:
    """Every step of the history (``recorded``: (log position, event) in version order), or those
    of the given ``types`` with a business time in [``since``, ``until``). Filters never change
    what a step says: each is computed on the whole history."""
    steps = []
    state: AppealState | None = None
    calendar: str | None = None
    timezone: str | None = None
    for position, event in recorded:
        before = state
        state = evolve(state, event)
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
                    changes=diff(before, state),
                    applied=Applied(
                        deadline_policy=state.deadline_policy,
                        calendar=calendar,
                        timezone=timezone,
                        methodology=methodology_for(f"{event.occurred_at:%Y-%m}")
                        if methodology_for is not None
                        else None,
                    ),
                )
            )
    return steps
