"""The appeal's state and ``evolve``: a pure fold of its events, the same for the aggregate,
the read model and the auditor's "as of" view. Personal data never enters the state."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, get_type_hints
from uuid import UUID

import msgspec

from domain.appeals import events as ev
from domain.appeals.events import Place
from domain.appeals.vocabulary import (
    Channel,
    Deadline,
    Kind,
    LegalGround,
    Outcome,
    ReworkReason,
    Status,
)


class Breach(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    deadline: Deadline
    due: datetime


class AppealState(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    id: UUID
    version: int
    kind: Kind
    channel: Channel
    status: Status
    external_id: str | None
    text: str
    has_citizen_contact: bool
    place: Place | None
    received_at: datetime
    register_due: datetime
    deadline_policy: str
    last_recorded_at: datetime
    municipality: str | None = None  # None: the deployment's default municipality
    timezone: str | None = None  # the zone its deadlines count in (None: the deployment's)
    registration_number: str | None = None
    registered_at: datetime | None = None
    answer_due: datetime | None = None
    original_answer_due: datetime | None = None
    forward_due: datetime | None = None
    first_reaction_due: datetime | None = None
    first_reaction_at: datetime | None = None
    topic: str | None = None
    subtopic: str | None = None
    essence: str | None = None
    tags: tuple[str, ...] = ()
    department: str | None = None
    executor: str | None = None
    sector: str | None = None
    assigned_at: datetime | None = None
    forwarded_to: str | None = None
    extensions: int = 0
    extension_days: int = 0
    paused_since: datetime | None = None
    paused_seconds: int = 0
    interim_answers: int = 0
    answer_text: str | None = None
    answer_fix_date: date | None = None
    answer_drafted_at: datetime | None = None
    answer_approved_at: datetime | None = None
    answer_published_at: datetime | None = None
    answer_delivered_at: datetime | None = None
    first_answered_at: datetime | None = None
    rework_count: int = 0
    last_rework_reason: ReworkReason | None = None
    fast_tracked: bool = False
    satisfaction_score: int | None = None
    rated_current_answer: bool = False
    reopen_count: int = 0
    duplicate_of: UUID | None = None
    repeat_of: UUID | None = None
    left_without_answer_ground: LegalGround | None = None
    escalations: int = 0
    breaches: tuple[Breach, ...] = ()
    closed_at: datetime | None = None
    outcome: Outcome | None = None

    @property
    def is_closed(self) -> bool:
        return self.status is Status.CLOSED

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None


def _next(state: AppealState, event: ev.AppealEvent, **changes: object) -> AppealState:
    return msgspec.structs.replace(
        state, version=event.originator_version, last_recorded_at=event.timestamp, **changes
    )


_Handler = Callable[[Any, AppealState], AppealState]
_HANDLERS: dict[type[ev.AppealEvent], _Handler] = {}


def _on(handler: _Handler) -> _Handler:
    """Registers how an event type changes the state (dispatched on the exact type: a dict
    lookup, cheaper than singledispatch when rebuilding views from millions of events)."""
    _HANDLERS[get_type_hints(handler)["event"]] = handler
    return handler


@_on
def _(event: ev.AppealRegistered, state: AppealState) -> AppealState:
    return _next(
        state,
        event,
        status=Status.REGISTERED,
        registration_number=event.registration_number,
        registered_at=event.occurred_at,
        answer_due=event.answer_due,
        original_answer_due=event.answer_due,
        forward_due=event.forward_due,
        first_reaction_due=event.first_reaction_due,
        deadline_policy=event.deadline_policy,
    )


@_on
def _(event: ev.AppealCategorised, state: AppealState) -> AppealState:
    return _next(
        state,
        event,
        topic=event.topic,
        subtopic=event.subtopic,
        essence=event.essence,
        place=event.place or state.place,
        tags=event.tags,
    )


@_on
def _(event: ev.AppealAssigned, state: AppealState) -> AppealState:
    status = Status.ASSIGNED if state.status is Status.REGISTERED else state.status
    return _next(
        state,
        event,
        status=status,
        department=event.department,
        executor=event.executor,
        sector=event.sector,
        assigned_at=event.occurred_at,
    )


@_on
def _(event: ev.AppealForwarded, state: AppealState) -> AppealState:
    return _next(state, event, forwarded_to=event.to_body)


@_on
def _(event: ev.DeadlineExtended, state: AppealState) -> AppealState:
    return _next(
        state,
        event,
        answer_due=event.new_due,
        extensions=state.extensions + 1,
        extension_days=state.extension_days + event.days,
    )


@_on
def _(event: ev.AppealPaused, state: AppealState) -> AppealState:
    return _next(state, event, paused_since=event.occurred_at)


@_on
def _(event: ev.AppealResumed, state: AppealState) -> AppealState:
    return _next(
        state,
        event,
        paused_since=None,
        paused_seconds=state.paused_seconds + event.paused_seconds,
        answer_due=event.answer_due,
    )


@_on
def _(event: ev.InterimAnswerGiven, state: AppealState) -> AppealState:
    return _next(
        state,
        event,
        interim_answers=state.interim_answers + 1,
        first_reaction_at=state.first_reaction_at or event.occurred_at,
    )


@_on
def _(event: ev.AnswerDrafted, state: AppealState) -> AppealState:
    return _next(
        state,
        event,
        status=Status.ANSWER_DRAFTED,
        answer_text=event.text,
        answer_fix_date=event.fix_date,
        answer_drafted_at=event.occurred_at,
        answer_approved_at=None,
    )


@_on
def _(event: ev.AnswerApproved, state: AppealState) -> AppealState:
    return _next(state, event, status=Status.ANSWER_APPROVED, answer_approved_at=event.occurred_at)


@_on
def _(event: ev.AnswerReturnedForRework, state: AppealState) -> AppealState:
    return _next(
        state,
        event,
        status=Status.ASSIGNED,
        rework_count=state.rework_count + 1,
        last_rework_reason=event.reason,
    )


@_on
def _(event: ev.AnswerPublished, state: AppealState) -> AppealState:
    return _next(
        state,
        event,
        status=Status.ANSWER_PUBLISHED,
        answer_published_at=event.occurred_at,
        first_answered_at=state.first_answered_at or event.occurred_at,
        first_reaction_at=state.first_reaction_at or event.occurred_at,
    )


@_on
def _(event: ev.AnswerDelivered, state: AppealState) -> AppealState:
    return _next(
        state, event, status=Status.ANSWER_DELIVERED, answer_delivered_at=event.occurred_at
    )


@_on
def _(event: ev.AppealFastTracked, state: AppealState) -> AppealState:
    return _next(
        state,
        event,
        fast_tracked=True,
        first_reaction_at=state.first_reaction_at or event.occurred_at,
    )


@_on
def _(event: ev.SatisfactionRated, state: AppealState) -> AppealState:
    return _next(state, event, satisfaction_score=event.score, rated_current_answer=True)


@_on
def _(event: ev.AppealReopened, state: AppealState) -> AppealState:
    return _next(
        state,
        event,
        status=Status.ASSIGNED if state.department else Status.REGISTERED,
        reopen_count=state.reopen_count + 1,
        closed_at=None,
        outcome=None,
        answer_text=None,
        answer_fix_date=None,
        answer_drafted_at=None,
        answer_approved_at=None,
        answer_published_at=None,
        answer_delivered_at=None,
        rated_current_answer=False,
    )


@_on
def _(event: ev.AppealMarkedDuplicate, state: AppealState) -> AppealState:
    return _next(state, event, duplicate_of=event.duplicate_of)


@_on
def _(event: ev.AppealLinkedAsRepeat, state: AppealState) -> AppealState:
    return _next(state, event, repeat_of=event.repeat_of)


@_on
def _(event: ev.AppealLeftWithoutAnswer, state: AppealState) -> AppealState:
    return _next(state, event, left_without_answer_ground=event.ground)


@_on
def _(event: ev.AppealEscalated, state: AppealState) -> AppealState:
    return _next(state, event, escalations=state.escalations + 1)


@_on
def _(event: ev.DeadlineBreached, state: AppealState) -> AppealState:
    breach = Breach(deadline=event.deadline, due=event.due)
    return _next(state, event, breaches=(*state.breaches, breach))


@_on
def _(event: ev.AppealClosed, state: AppealState) -> AppealState:
    return _next(
        state,
        event,
        status=Status.CLOSED,
        closed_at=event.occurred_at,
        outcome=event.outcome,
        paused_since=None,
    )


@_on
def _(event: ev.DeadlinesRetimed, state: AppealState) -> AppealState:
    fields = {
        Deadline.REGISTER: "register_due",
        Deadline.FORWARD: "forward_due",
        Deadline.FIRST_REACTION: "first_reaction_due",
        Deadline.ANSWER: "answer_due",
    }
    return _next(state, event, **{fields[d.deadline]: d.due for d in event.deadlines})


def started(event: ev.AppealReceived) -> AppealState:
    return AppealState(
        id=event.originator_id,
        version=event.originator_version,
        kind=event.kind,
        channel=event.channel,
        status=Status.RECEIVED,
        external_id=event.external_id,
        text=event.text,
        has_citizen_contact=event.citizen is not None,
        place=event.place,
        received_at=event.occurred_at,
        register_due=event.register_due,
        first_reaction_due=next(
            (d.due for d in event.deadlines if d.deadline is Deadline.FIRST_REACTION), None
        ),
        deadline_policy=event.deadline_policy,
        last_recorded_at=event.timestamp,
        municipality=event.municipality,
        timezone=event.timezone,
    )


def evolve(state: AppealState | None, event: ev.AppealEvent) -> AppealState:
    """The state after ``event``; ``None`` is the state before the appeal was received."""
    if isinstance(event, ev.AppealReceived):
        if state is not None:
            raise ValueError("an appeal can be received only once")
        return started(event)
    if state is None:
        raise ValueError(f"{type(event).__name__} before the appeal was received")
    handler = _HANDLERS.get(type(event))
    if handler is None:
        raise TypeError(f"no evolution for {type(event).__name__}")
    return handler(event, state)


def fold(events: Iterable[ev.AppealEvent], state: AppealState | None = None) -> AppealState | None:
    for event in events:
        state = evolve(state, event)
    return state
