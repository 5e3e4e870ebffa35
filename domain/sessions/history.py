"""A session's or a task's stream as an auditor reads it, the way an appeal's is
(``domain/audit/history.py``): every event in order with its stream version, log position, type,
business and recorded time, actor and role, payload, and the change it made to the stream's
state; the audit ledger's digest of the stored event is added by the route when the ledger has
recorded it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import msgspec

from domain.audit.history import Change
from domain.shared.actors import Actor
from domain.shared.envelope import Envelope
from domain.shared.handler import RecordedEvent

_ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "occurred_at", "actor"})
_NOT_CHANGES = frozenset({"version"})

S = TypeVar("S")
E = TypeVar("E", bound=Envelope)


class AuditStep(msgspec.Struct, frozen=True, kw_only=True):
    position: int
    version: int
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: Actor
    payload: dict[str, Any]
    changes: list[Change]
    digest: str | None = None  # SHA-256 of the stored event (hex), as the audit ledger saw it


def payload_of(event: Any) -> dict[str, Any]:
    """An event's own fields, without the envelope."""
    return {k: v for k, v in msgspec.to_builtins(event).items() if k not in _ENVELOPE}


def changes(before: Any, after: Any) -> list[Change]:
    """The fields of the state whose values differ (values as JSON data), in field order."""
    old: dict[str, Any] = msgspec.to_builtins(before) if before is not None else {}
    new: dict[str, Any] = msgspec.to_builtins(after)
    return [
        Change(field=name, before=old.get(name), after=value)
        for name, value in new.items()
        if name not in _NOT_CHANGES and old.get(name) != value
    ]


def replay(
    recorded: Sequence[RecordedEvent[E]],
    evolve: Callable[[S | None, E], S],
    digests: dict[int, str] | None = None,
) -> list[AuditStep]:
    """The stream's steps in order, each with the change it made (folded with ``evolve``)."""
    steps: list[AuditStep] = []
    state: S | None = None
    for each in recorded:
        event: Any = each.event
        after = evolve(state, each.event)
        steps.append(
            AuditStep(
                position=each.position,
                version=event.originator_version,
                type=type(event).__name__,
                occurred_at=event.occurred_at,
                recorded_at=event.timestamp,
                actor=event.actor,
                payload=payload_of(event),
                changes=changes(state, after),
                digest=(digests or {}).get(each.position),
            )
        )
        state = after
    return steps
