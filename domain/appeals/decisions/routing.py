"""Where the appeal goes: assigned to a department, forwarded to another body, escalated."""

from __future__ import annotations

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.decisions.context import Context, Decisions, require_not_forwarded
from domain.appeals.vocabulary import Outcome, Status
from domain.shared.actors import Role
from domain.shared.errors import InvalidCommand, RuleViolated
from domain.shared.time import ALLOWED_CLOCK_SKEW, require_aware

DECISIONS = Decisions()


@DECISIONS.handles(cmd.AssignAppeal)
def _assign(command: cmd.AssignAppeal, c: Context) -> list[ev.AppealEvent]:
    require_not_forwarded(c)
    if c.s.status in (Status.ANSWER_APPROVED, Status.ANSWER_PUBLISHED, Status.ANSWER_DELIVERED):
        raise RuleViolated("the answer is already approved; reopen the appeal to reassign it")
    if (c.s.department, c.s.executor) == (command.department, command.executor):
        raise RuleViolated("the appeal is already assigned to this department and executor")
    return [
        ev.AppealAssigned(
            **c.envelope(),
            department=command.department,
            executor=command.executor,
            sector=command.sector,
        )
    ]


@DECISIONS.handles(cmd.ForwardAppeal)
def _forward(command: cmd.ForwardAppeal, c: Context) -> list[ev.AppealEvent]:
    if c.s.answer_published_at is not None:
        raise RuleViolated("an answered appeal cannot be forwarded")
    notified = require_aware(command.citizen_notified_at, "citizen_notified_at")
    if notified > c.now + ALLOWED_CLOCK_SKEW:
        raise InvalidCommand("citizen_notified_at cannot be in the future")
    return [
        ev.AppealForwarded(
            **c.envelope(),
            to_body=command.to_body,
            reason=command.reason,
            citizen_notified_at=notified,
        ),
        ev.AppealClosed(**c.envelope(), outcome=Outcome.FORWARDED, comment=command.reason),
    ]


@DECISIONS.handles(cmd.EscalateAppeal)
def _escalate(command: cmd.EscalateAppeal, c: Context) -> list[ev.AppealEvent]:
    return [
        ev.AppealEscalated(
            **c.envelope(),
            to=command.to,
            to_person=command.to_person,
            reason=command.reason,
            automatic=c.actor.role is Role.SYSTEM,
        )
    ]
