"""An appeal's case read in one snapshot of the log: its own stream, the messages sent for it and
the readings of its citizen's data, each event as stored and as decoded through the event codec."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import msgspec
import psycopg
from eventsourcing.persistence import Mapper, StoredEvent

from domain.appeals.appeal_state import AppealState
from domain.appeals.events import AppealEvent
from domain.appeals.state import fold
from domain.audit.chain import digest
from domain.audit.events import access_stream
from domain.outbox.events import MessageEvent, Purpose, message_stream
from domain.outbox.state import Message
from domain.outbox.state import evolve as evolve_message
from infra.archive.format import CaseEvent

_ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "occurred_at", "actor"})
_ROWS = (
    "SELECT notification_id, originator_id, originator_version, topic, state FROM otklik_events"
    " WHERE originator_id = ANY(%s) ORDER BY notification_id"
)
# the purposes a message about one appeal can have (the brief's is about a day, not an appeal)
_APPEAL_PURPOSES = tuple(p for p in Purpose if p is not Purpose.DAILY_BRIEF)


class NoSuchAppeal(LookupError):
    """No appeal has the id asked for."""


@dataclass
class Case:
    appeal_id: UUID
    state: AppealState
    events: list[CaseEvent]  # every event of the case, in log order
    appeal_events: list[tuple[int, AppealEvent]]  # (position, event) in version order
    messages: list[Message] = field(default_factory=list)  # in the order queued
    log_position: int = 0


def _stream_of(event: Any) -> str:
    if isinstance(event, AppealEvent):
        return "appeal"
    if isinstance(event, MessageEvent):
        return "message"
    return "personal_data_reads"


def _case_event(row: tuple[Any, ...], event: Any) -> CaseEvent:
    position, stream_id, version, topic, state = row
    stored = bytes(state)
    data = {k: v for k, v in msgspec.to_builtins(event).items() if k not in _ENVELOPE}
    return CaseEvent(
        position=int(position),
        stream=_stream_of(event),
        stream_id=stream_id,
        version=int(version),
        type=type(event).__name__,
        topic=topic,
        actor_id=event.actor.id,
        actor_name=event.actor.name,
        role=event.actor.role.value,
        department=event.actor.department,
        occurred_at=event.occurred_at,
        recorded_at=event.timestamp,
        digest=digest(stream_id, int(version), topic, stored).hex(),
        stored_b64=base64.b64encode(stored).decode(),
        data=data,
    )


def read_case(conn: psycopg.Connection[Any], mapper: Mapper[UUID], appeal_id: UUID) -> Case:
    """The case of ``appeal_id`` as ``conn``'s snapshot sees it (NoSuchAppeal: no such stream,
    or a stream that is not an appeal)."""
    own = conn.execute(_ROWS, ([appeal_id],)).fetchall()
    if not own:
        raise NoSuchAppeal(f"there is no appeal {appeal_id}")
    versions = [int(r[2]) for r in own]
    related = [access_stream(appeal_id)] + [
        message_stream(appeal_id, v, p) for v in versions for p in _APPEAL_PURPOSES
    ]
    rows = sorted([*own, *conn.execute(_ROWS, (related,)).fetchall()], key=lambda r: r[0])
    events: list[CaseEvent] = []
    appeal_events: list[tuple[int, AppealEvent]] = []
    messages: dict[UUID, Message] = {}
    for row in rows:
        event = mapper.to_domain_event(StoredEvent(row[1], row[2], row[3], bytes(row[4])))
        if row[1] == appeal_id and not isinstance(event, AppealEvent):
            raise NoSuchAppeal(f"{appeal_id} is not an appeal")
        events.append(_case_event(row, event))
        if isinstance(event, AppealEvent):
            appeal_events.append((int(row[0]), event))
        elif isinstance(event, MessageEvent):
            messages[event.message_id] = evolve_message(messages.get(event.message_id), event)
    appeal_events.sort(key=lambda item: item[1].originator_version)
    state = fold(event for _position, event in appeal_events)
    assert state is not None
    head = conn.execute("SELECT coalesce(max(notification_id), 0) FROM otklik_events").fetchone()
    return Case(
        appeal_id=appeal_id,
        state=state,
        events=events,
        appeal_events=appeal_events,
        messages=sorted(messages.values(), key=lambda m: m.queued_at),
        log_position=int(head[0]) if head else 0,
    )
