"""Polls run on another platform, imported as events (001 §2.2б; 002 §3.5.6), and publications
on official pages with their reach imported later (001 §2.2ж–з; 002 §3.4.5)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

import msgspec

from domain.sessions.decide import require_writer
from domain.shared.actors import Actor
from domain.shared.envelope import Envelope, Stamper
from domain.shared.errors import InvalidCommand, NotFound, RuleViolated
from domain.shared.inputs import Code, Count, Input, ShortText, Url, as_record
from domain.shared.time import ALLOWED_CLOCK_SKEW, business_time, require_aware

_POLLS = uuid.UUID("0c3a5f7e-51d2-4b8e-9a60-7f1e2d4c6b8a")


def poll_id(platform: str, external_id: str) -> UUID:
    """A poll's stream is named by its platform's id: importing it again finds it."""
    return uuid.uuid5(_POLLS, f"{platform}\x1f{external_id}")


class Option(msgspec.Struct, frozen=True, kw_only=True):
    text: str
    count: int


class Question(msgspec.Struct, frozen=True, kw_only=True):
    text: str
    options: tuple[Option, ...]


class PublicationKind(StrEnum):
    HOT_TOPIC_ANSWER = "hot_topic_answer"
    REFUTATION = "refutation"
    DECISION = "decision"
    PROTOCOL = "protocol"
    OTHER = "other"


class PollEvent(Envelope, frozen=True, kw_only=True, gc=False):
    """Base of a poll's events."""


class PollImported(PollEvent, frozen=True, kw_only=True):
    platform: str  # «Госуслуги. Решаем вместе», «ПОС»…
    external_id: str
    title: str
    area: str  # the territory polled
    period_from: date
    period_to: date
    questions: tuple[Question, ...]
    hot_topic: str | None


class PublicationEvent(Envelope, frozen=True, kw_only=True, gc=False):
    """Base of a publication's events."""


class PublicationRecorded(PublicationEvent, frozen=True, kw_only=True):
    kind: PublicationKind
    channel: str  # the official page or group
    url: str
    title: str
    published_at: datetime
    hot_topic: str | None
    session_id: UUID | None
    claim_id: UUID | None


class PublicationReachImported(PublicationEvent, frozen=True, kw_only=True):
    reach: int
    views: int
    measured_at: datetime


POLL_EVENT_TYPES: tuple[type[PollEvent], ...] = (PollImported,)
PUBLICATION_EVENT_TYPES: tuple[type[PublicationEvent], ...] = (
    PublicationRecorded,
    PublicationReachImported,
)


class OptionInput(Option, Input, frozen=True, kw_only=True):
    text: ShortText
    count: Count


class QuestionInput(Input, frozen=True, kw_only=True):
    text: ShortText
    options: Annotated[tuple[OptionInput, ...], msgspec.Meta(min_length=1, max_length=50)]


class ImportPoll(Input, frozen=True, kw_only=True):
    action: ClassVar[str] = "import a poll"

    platform: ShortText
    external_id: Code
    title: ShortText
    area: ShortText
    period_from: date
    period_to: date
    questions: Annotated[tuple[QuestionInput, ...], msgspec.Meta(min_length=1, max_length=100)]
    hot_topic: ShortText | None = None
    occurred_at: datetime | None = None


class RecordPublication(Input, frozen=True, kw_only=True):
    action: ClassVar[str] = "record a publication"

    kind: PublicationKind
    channel: ShortText
    url: Url
    title: ShortText
    published_at: datetime
    hot_topic: ShortText | None = None
    session_id: UUID | None = None
    claim_id: UUID | None = None
    occurred_at: datetime | None = None


class ImportReach(Input, frozen=True, kw_only=True):
    action: ClassVar[str] = "import a publication's reach"

    reach: Count
    views: Count
    measured_at: datetime
    occurred_at: datetime | None = None


class PollState(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    version: int
    imported: PollImported


class PublicationState(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    version: int
    recorded: PublicationRecorded
    reach: int = 0
    views: int = 0
    measured_at: datetime | None = None


def evolve_poll(state: PollState | None, event: PollEvent) -> PollState:
    assert isinstance(event, PollImported)
    return PollState(id=event.originator_id, version=event.originator_version, imported=event)


def evolve_publication(state: PublicationState | None, event: PublicationEvent) -> PublicationState:
    if isinstance(event, PublicationRecorded):
        return PublicationState(
            id=event.originator_id, version=event.originator_version, recorded=event
        )
    assert state is not None
    assert isinstance(event, PublicationReachImported)
    return msgspec.structs.replace(
        state,
        version=event.originator_version,
        reach=event.reach,
        views=event.views,
        measured_at=event.measured_at,
    )


def decide_poll(
    state: PollState | None, command: ImportPoll, *, actor: Actor, now: datetime, stream: UUID
) -> list[PollEvent]:
    require_writer(actor, command.action)
    now = require_aware(now, "now")
    if state is not None:
        raise RuleViolated("this platform's poll is already imported")
    if command.period_to < command.period_from:
        raise InvalidCommand("a poll's period ends after it begins")
    at = business_time(command.occurred_at, now, not_before=None, what="the poll")
    stamp = Stamper(stream, 0, actor, now, at)
    questions = tuple(
        Question(text=q.text, options=tuple(as_record(o, Option) for o in q.options))
        for q in command.questions
    )
    return [
        PollImported(
            **stamp.envelope(),
            platform=command.platform,
            external_id=command.external_id,
            title=command.title,
            area=command.area,
            period_from=command.period_from,
            period_to=command.period_to,
            questions=questions,
            hot_topic=command.hot_topic,
        )
    ]


def decide_publication(
    state: PublicationState | None,
    command: RecordPublication | ImportReach,
    *,
    actor: Actor,
    now: datetime,
    stream: UUID,
) -> list[PublicationEvent]:
    require_writer(actor, command.action)
    now = require_aware(now, "now")
    at = business_time(command.occurred_at, now, not_before=None, what="the publication")
    stamp = Stamper(stream, state.version if state else 0, actor, now, at)
    if isinstance(command, RecordPublication):
        if state is not None:
            raise RuleViolated("the publication is already recorded")
        if require_aware(command.published_at, "published_at") > now + ALLOWED_CLOCK_SKEW:
            raise InvalidCommand("a publication cannot be published in the future")
        return [
            PublicationRecorded(
                **stamp.envelope(),
                kind=command.kind,
                channel=command.channel,
                url=command.url,
                title=command.title,
                published_at=command.published_at,
                hot_topic=command.hot_topic,
                session_id=command.session_id,
                claim_id=command.claim_id,
            )
        ]
    if state is None:
        raise NotFound("there is no such publication")
    measured = require_aware(command.measured_at, "measured_at")
    if measured > now + ALLOWED_CLOCK_SKEW or measured < state.recorded.published_at:
        raise InvalidCommand("reach is measured after the publication and not in the future")
    if state.measured_at is not None and measured <= state.measured_at:
        raise RuleViolated("a later measurement of this publication's reach is already imported")
    return [
        PublicationReachImported(
            **stamp.envelope(), reach=command.reach, views=command.views, measured_at=measured
        )
    ]
