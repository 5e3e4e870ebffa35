"""A deadline the source of an imported history set (issue 16): recorded after registration,
beside the one our policy computed, with the source as its provenance."""

from __future__ import annotations

from datetime import timedelta

from domain.appeals import events as ev
from domain.appeals.decisions.context import (
    Context,
    Decisions,
    require_assigned,
    require_not_forwarded,
)
from domain.appeals.source_commands import RecordSourceAnswer, RecordSourceDeadline
from domain.appeals.vocabulary import Deadline, Status
from domain.shared.errors import InvalidCommand, RuleViolated
from domain.shared.time import require_aware

DECISIONS = Decisions()

# Our deadlines are exclusive (met strictly before ``due``); a source's is the last moment on time.
INCLUSIVE = timedelta(microseconds=1)


@DECISIONS.handles(RecordSourceDeadline)
def _source_deadline(command: RecordSourceDeadline, c: Context) -> list[ev.AppealEvent]:
    if command.deadline is not Deadline.ANSWER:
        raise InvalidCommand("a source's deadline is recorded for the answer only")
    if c.s.registered_at is None:
        raise RuleViolated("the source's deadline is recorded after the appeal's registration")
    if c.s.source_answer_due is not None:
        raise RuleViolated("the source's deadline is already recorded")
    source_due = require_aware(command.due, "due")
    if source_due < c.s.received_at:
        raise InvalidCommand("the source's deadline cannot be before the appeal's receipt")
    return [
        ev.DeadlineSetBySource(
            **c.envelope(),
            deadline=command.deadline,
            due=source_due + INCLUSIVE,
            source_due=source_due,
            source=command.source,
            deadline_policy=f"source:{command.source}",
            governs=command.governs,
        )
    ]


@DECISIONS.handles(RecordSourceAnswer)
def _source_answer(command: RecordSourceAnswer, c: Context) -> list[ev.AppealEvent]:
    """As an answer sent: the appeal assigned, not forwarded, not paused, no answer sent yet."""
    require_assigned(c, "an answer")
    require_not_forwarded(c)
    if c.s.status in (Status.ANSWER_PUBLISHED, Status.ANSWER_DELIVERED):
        raise RuleViolated("the answer is already sent; reopen the appeal for a new answer")
    if c.s.is_paused:
        raise RuleViolated("the appeal is paused; resume it before sending the answer")
    return [
        ev.AnswerGivenAtSource(
            **c.envelope(),
            text=command.text,
            channel=c.s.channel,
            source=command.source,
            delivered=command.delivered,
        )
    ]
