"""A session's state and ``evolve``: a pure fold of its events."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

import msgspec

from domain.sessions import events as ev
from domain.sessions.events import AgendaItem, Choice, Composition, Format


class Stage(StrEnum):
    SCHEDULED = "scheduled"
    IN_SESSION = "in_session"  # attendance recorded, votes under way
    PROTOCOL_DRAFTED = "protocol_drafted"
    SIGNED = "signed"  # by the chair and the secretary
    PUBLISHED = "published"


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    item: int
    adopted: bool
    votes_for: int
    votes_against: int
    abstained: int
    taking_part: int
    by_chairs_vote: bool
    decided_at: datetime


class SessionState(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    version: int
    stage: Stage
    held_on: date
    format: Format
    statute: str
    composition: Composition
    agenda: tuple[AgendaItem, ...]
    scheduled_at: datetime
    taking_part: tuple[str, ...] = ()
    chair: str | None = None
    chair_basis: str | None = None
    votes: tuple[tuple[int, str, Choice], ...] = ()  # (item, member, choice)
    outcomes: tuple[Outcome, ...] = ()
    protocol_number: str | None = None
    protocol_text: str | None = None
    signed_by: tuple[tuple[str, str], ...] = ()  # (capacity, person)
    published_where: str | None = None

    def votes_on(self, item: int) -> list[tuple[str, Choice]]:
        return [(m, c) for i, m, c in self.votes if i == item]

    def outcome(self, item: int) -> Outcome | None:
        return next((o for o in self.outcomes if o.item == item), None)


def evolve(state: SessionState | None, event: ev.SessionEvent) -> SessionState:
    version = event.originator_version
    if isinstance(event, ev.SessionScheduled):
        return SessionState(
            id=event.originator_id,
            version=version,
            stage=Stage.SCHEDULED,
            held_on=event.held_on,
            format=event.format,
            statute=event.statute,
            composition=event.composition,
            agenda=event.agenda,
            scheduled_at=event.occurred_at,
        )
    assert state is not None, "a session begins with SessionScheduled"
    s = msgspec.structs.replace(state, version=version)
    if isinstance(event, ev.AttendanceRecorded):
        return msgspec.structs.replace(
            s,
            stage=Stage.IN_SESSION,
            taking_part=event.taking_part,
            chair=event.chair,
            chair_basis=event.chair_basis.value,
        )
    if isinstance(event, ev.VoteCast):
        return msgspec.structs.replace(
            s, votes=(*s.votes, (event.item, event.member, event.choice))
        )
    if isinstance(event, ev.DecisionAdopted | ev.DecisionRejected):
        outcome = Outcome(
            item=event.item,
            adopted=isinstance(event, ev.DecisionAdopted),
            votes_for=event.votes_for,
            votes_against=event.votes_against,
            abstained=event.abstained,
            taking_part=event.taking_part,
            by_chairs_vote=event.by_chairs_vote,
            decided_at=event.occurred_at,
        )
        return msgspec.structs.replace(s, outcomes=(*s.outcomes, outcome))
    if isinstance(event, ev.ProtocolDrafted):
        return msgspec.structs.replace(
            s, stage=Stage.PROTOCOL_DRAFTED, protocol_number=event.number, protocol_text=event.text
        )
    if isinstance(event, ev.ProtocolSigned):
        signed = (*s.signed_by, (event.capacity, event.signer))
        stage = Stage.SIGNED if {c for c, _ in signed} >= {"chair", "secretary"} else s.stage
        return msgspec.structs.replace(s, signed_by=signed, stage=stage)
    if isinstance(event, ev.ProtocolPublished):
        return msgspec.structs.replace(s, stage=Stage.PUBLISHED, published_where=event.where)
    return s
