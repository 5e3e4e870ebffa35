"""How each event after its receipt changes the appeal's state (``evolve`` looks them up here)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_type_hints

import msgspec

from domain.appeals import events as ev
from domain.appeals.appeal_state import AppealState, Breach
from domain.appeals.vocabulary import Deadline, Status


def _next(state: AppealState, event: ev.AppealEvent, **changes: object) -> AppealState:
    return msgspec.structs.replace(
        state, version=event.originator_version, last_recorded_at=event.timestamp, **changes
    )


_Handler = Callable[[Any, AppealState], AppealState]
TRANSITIONS: dict[type[ev.AppealEvent], _Handler] = {}


def _on(handler: _Handler) -> _Handler:
    """Registers how an event type changes the state (dispatched on the exact type: a dict
    lookup, cheaper than singledispatch when rebuilding views from millions of events)."""
    TRANSITIONS[get_type_hints(handler)["event"]] = handler
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
        registered_version=event.originator_version,  # issue 14: the anchor of ст. 11 terms
    )


@_on
def _(event: ev.AppealCategorised, state: AppealState) -> AppealState:
    return _next(
        state,
        event,
        topic=event.topic,
        subtopic=event.subtopic,
        topic_code=event.topic_code,
        subtopic_code=event.subtopic_code,
        suggested_department=event.suggested_unit,
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
        department=event.unit_id or event.department,
        executor=event.executor_id or event.executor,
        sector=event.sector_id or event.sector,
        assigned_at=event.occurred_at,
    )


@_on
def _(event: ev.AppealForwarded, state: AppealState) -> AppealState:
    return _next(
        state,
        event,
        forwarded_to=event.to_body,
        complaint_against=event.complaint_against or state.complaint_against,
    )


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
def _(event: ev.AnswerGivenAtSource, state: AppealState) -> AppealState:
    """The state after an answer drafted, approved, sent (and delivered) at the source's time."""
    at = event.occurred_at
    return _next(
        state,
        event,
        status=Status.ANSWER_DELIVERED if event.delivered else Status.ANSWER_PUBLISHED,
        answer_text=event.text,
        answer_fix_date=None,
        answer_drafted_at=at,
        answer_approved_at=at,
        answer_published_at=at,
        answer_delivered_at=at if event.delivered else None,
        first_answered_at=state.first_answered_at or at,
        first_reaction_at=state.first_reaction_at or at,
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
    if event.by_citizen:  # the citizen's own score: preferred to a staff-typed one
        return _next(
            state,
            event,
            satisfaction_score=event.score,
            rated_current_answer=True,
            citizen_rated_current_answer=True,
            citizen_score=event.score,
            preferred_score=event.score,
        )
    preferred = state.preferred_score if state.citizen_rated_current_answer else event.score
    return _next(
        state,
        event,
        satisfaction_score=event.score,
        rated_current_answer=True,
        staff_rated_current_answer=True,
        preferred_score=preferred,
    )


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
        citizen_rated_current_answer=False,
        staff_rated_current_answer=False,
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
        Deadline.NOTICE: "notice_due",
    }
    moved = {fields[d.deadline]: d.due for d in event.deadlines if d.deadline in fields}
    return _next(state, event, **moved)


@_on
def _(event: ev.DeadlineSetBySource, state: AppealState) -> AppealState:
    if event.deadline is not Deadline.ANSWER:
        return _next(state, event)
    if not event.governs:
        return _next(state, event, source_answer_due=event.due)
    return _next(state, event, source_answer_due=event.due, answer_due=event.due)
