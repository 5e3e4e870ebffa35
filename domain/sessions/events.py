"""The body's and its sessions' events: facts in the past tense, each naming who acted and when.

The body (one stream) records its composition as approved by a protocol (001 §1.2) and the
working and expert groups its head approves (§5.1); each session is a stream of its own."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from uuid import UUID

import msgspec

from domain.shared.envelope import Envelope

BODY = uuid.uuid5(uuid.UUID("5d0b7c1e-8f3a-4e62-a1d9-2b7c4e8f6a13"), "mcu-body")


class Format(StrEnum):
    """§5.2: sessions in person, in absentia or remotely."""

    IN_PERSON = "in_person"  # очная
    IN_ABSENTIA = "in_absentia"  # заочная
    REMOTE = "remote"  # дистанционная


class Choice(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class ChairBasis(StrEnum):
    HEAD = "head"  # the head chairs
    HEAD_ABSENT = "head_absent"  # the deputy, in the head's absence
    HEAD_INSTRUCTION = "head_instruction"  # the deputy, on the head's instruction


class GroupKind(StrEnum):
    WORKING = "working"
    EXPERT = "expert"


class Citations(msgspec.Struct, frozen=True, kw_only=True):
    """What prompted an item or a task: appeals, a hot topic, polls."""

    appeals: tuple[UUID, ...] = ()
    hot_topic: str | None = None
    polls: tuple[UUID, ...] = ()


class AgendaItem(msgspec.Struct, frozen=True, kw_only=True):
    title: str
    proposal: str  # the draft decision put to the vote
    cites: Citations = Citations()


class Composition(msgspec.Struct, frozen=True, kw_only=True):
    """The body's members on a date, by the directory's person ids."""

    head: str
    deputy_head: str
    secretary: str
    members: tuple[str, ...]  # the other members

    @property
    def everyone(self) -> tuple[str, ...]:
        """Every member with a vote (§5.5: each member of the МЦУ has one vote)."""
        return (self.head, self.deputy_head, self.secretary, *self.members)


class BodyEvent(Envelope, frozen=True, kw_only=True, gc=False):
    """Base of the body's events."""


class CompositionApproved(BodyEvent, frozen=True, kw_only=True):
    effective: date
    composition: Composition
    protocol: str  # the protocol that approved it («Протокол № 1 от 15.01.2025»)
    session_id: UUID | None = None  # the session whose protocol it is, when recorded here


class GroupApproved(BodyEvent, frozen=True, kw_only=True):
    group_id: str
    kind: GroupKind
    name: str
    topic: str
    members: tuple[str, ...]
    approved_by: str  # the head (§5.1)
    effective: date


class SessionEvent(Envelope, frozen=True, kw_only=True, gc=False):
    """Base of a session's events."""


class SessionScheduled(SessionEvent, frozen=True, kw_only=True):
    held_on: date
    format: Format
    statute: str
    composition: Composition  # as of the session date
    agenda: tuple[AgendaItem, ...]


class AttendanceRecorded(SessionEvent, frozen=True, kw_only=True):
    taking_part: tuple[str, ...]
    chair: str
    chair_basis: ChairBasis


class VoteCast(SessionEvent, frozen=True, kw_only=True):
    item: int  # 1-based
    member: str
    choice: Choice


class DecisionAdopted(SessionEvent, frozen=True, kw_only=True):
    item: int
    votes_for: int
    votes_against: int
    abstained: int
    taking_part: int
    by_chairs_vote: bool  # §5.5: a tie decided by the chair's vote


class DecisionRejected(SessionEvent, frozen=True, kw_only=True):
    item: int
    votes_for: int
    votes_against: int
    abstained: int
    taking_part: int
    by_chairs_vote: bool


class ProtocolDrafted(SessionEvent, frozen=True, kw_only=True):
    number: str
    text: str


class ProtocolSigned(SessionEvent, frozen=True, kw_only=True):
    signer: str
    capacity: str  # "chair" | "secretary" (§5.6)


class ProtocolPublished(SessionEvent, frozen=True, kw_only=True):
    where: str  # the official page or register


BODY_EVENT_TYPES: tuple[type[BodyEvent], ...] = (CompositionApproved, GroupApproved)
SESSION_EVENT_TYPES: tuple[type[SessionEvent], ...] = (
    SessionScheduled,
    AttendanceRecorded,
    VoteCast,
    DecisionAdopted,
    DecisionRejected,
    ProtocolDrafted,
    ProtocolSigned,
    ProtocolPublished,
)
