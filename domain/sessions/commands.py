"""What staff ask the body and its sessions to do (the API's request bodies map to them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar
from uuid import UUID

import msgspec

from domain.sessions.events import Choice, Format, GroupKind
from domain.shared.inputs import Code, Input, ShortText, Text

People = Annotated[tuple[Code, ...], msgspec.Meta(max_length=200)]
Item = Annotated[int, msgspec.Meta(ge=1, le=200)]


class CitationsInput(Input, frozen=True, kw_only=True):
    appeals: Annotated[tuple[UUID, ...], msgspec.Meta(max_length=100)] = ()
    hot_topic: ShortText | None = None
    polls: Annotated[tuple[UUID, ...], msgspec.Meta(max_length=20)] = ()


class AgendaItemInput(Input, frozen=True, kw_only=True):
    title: ShortText
    proposal: Text
    cites: CitationsInput = CitationsInput()


class BodyCommand(Input, frozen=True, kw_only=True):
    action: ClassVar[str]
    occurred_at: datetime | None = None


class ApproveComposition(BodyCommand, frozen=True, kw_only=True):
    """001 §1.2: the secretary and the members approved by a protocol of the МЦУ."""

    action = "approve the composition"

    effective: date
    head: Code
    deputy_head: Code
    secretary: Code
    members: People = ()
    protocol: ShortText
    session_id: UUID | None = None


class ApproveGroup(BodyCommand, frozen=True, kw_only=True):
    """§5.1: the head approves working and expert groups."""

    action = "approve a group"

    group_id: Code
    kind: GroupKind
    name: ShortText
    topic: ShortText
    members: Annotated[tuple[Code, ...], msgspec.Meta(min_length=1, max_length=200)]
    approved_by: Code
    effective: date


class SessionCommand(Input, frozen=True, kw_only=True):
    action: ClassVar[str]
    occurred_at: datetime | None = None


class ScheduleSession(SessionCommand, frozen=True, kw_only=True):
    action = "schedule a session"

    held_on: date
    format: Format = Format.IN_PERSON
    agenda: Annotated[tuple[AgendaItemInput, ...], msgspec.Meta(min_length=1, max_length=200)]


class RecordAttendance(SessionCommand, frozen=True, kw_only=True):
    """Who takes part (in absentia: who gave their opinion); the chair follows (§5.1)."""

    action = "record attendance"

    taking_part: Annotated[tuple[Code, ...], msgspec.Meta(min_length=1, max_length=200)]
    head_instructs_deputy: bool = False  # the head present but the deputy chairs on instruction


class CastVote(SessionCommand, frozen=True, kw_only=True):
    action = "vote"

    item: Item
    member: Code
    choice: Choice


class CloseVoting(SessionCommand, frozen=True, kw_only=True):
    action = "close the voting"

    item: Item


class DraftProtocol(SessionCommand, frozen=True, kw_only=True):
    action = "draft the protocol"

    number: ShortText
    text: Text


class SignProtocol(SessionCommand, frozen=True, kw_only=True):
    action = "sign the protocol"

    signer: Code


class PublishProtocol(SessionCommand, frozen=True, kw_only=True):
    action = "publish the protocol"

    where: ShortText
