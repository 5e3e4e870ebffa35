"""``decide(state, command, actor, now, policy) -> events``: the appeal's rules as pure functions.

Each rule that fails raises a domain error whose message names the rule. Time is passed in. The
decisions live by concern in ``domain.appeals.decisions``; this is where a command enters.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.decisions import (
    answers,
    article11,
    attachments,
    citizen_rating,
    deadlines,
    information,
    intake,
    routing,
    source_terms,
)
from domain.appeals.decisions.authorisation import PERMISSIONS, authorise
from domain.appeals.decisions.context import Context, Handler
from domain.appeals.state import AppealState
from domain.appeals.vocabulary import Outcome, Status
from domain.shared.actors import Actor
from domain.shared.errors import InvalidCommand, RuleViolated
from domain.shared.time import require_aware
from domain.sla.clock import SlaClock

__all__ = ["PERMISSIONS", "authorise", "decide"]

_HANDLERS: dict[type[cmd.Command], Handler] = {
    **intake.DECISIONS.by_command,
    **routing.DECISIONS.by_command,
    **answers.DECISIONS.by_command,
    **deadlines.DECISIONS.by_command,
    **article11.DECISIONS.by_command,
    **information.DECISIONS.by_command,
    **attachments.DECISIONS.by_command,
    **source_terms.DECISIONS.by_command,  # issue 16: imported histories
    **citizen_rating.DECISIONS.by_command,  # issue 17: the citizen's own score
}

# ст.8 ч.2 59-ФЗ: registration is mandatory, and nothing the law counts from it (forwarding,
# copies, the answer, ст.11 notices, closing as withdrawn or without an answer) comes before it.
# Before it: the registration, the categorisation (its topic sets the terms), and what the
# deadline watcher and the re-timer do to the registration deadline itself.
_BEFORE_REGISTRATION = (
    cmd.RegisterAppeal
    | cmd.CategoriseAppeal
    | cmd.RecordDeadlineBreach
    | cmd.RetimeDeadlines
    | cmd.EscalateAppeal
    | cmd.AddAttachment  # issue 16: materials come with the appeal
)

# ст.8 ч.5 59-ФЗ: after forwarding, the body may request from the body it forwarded the appeal to
# the documents and materials on the results of its consideration: the request and its reply are
# the only acts on an appeal closed by forwarding (besides reopening it).
_AFTER_FORWARDING = cmd.RequestInformation | cmd.RecordInformationReply


def _allowed_when_closed(state: AppealState, command: cmd.Command) -> bool:
    if isinstance(command, cmd.ReopenAppeal) or attachments.allowed_when_closed(state, command):
        return True
    if citizen_rating.allowed_when_closed(state, command):
        return True
    return state.outcome is Outcome.FORWARDED and isinstance(command, _AFTER_FORWARDING)


def decide(
    state: AppealState | None,
    command: cmd.Command,
    *,
    actor: Actor,
    now: datetime,
    policy: SlaClock,
    appeal_id: UUID | None = None,
) -> list[ev.AppealEvent]:
    """The events that ``command`` produces on ``state``, or a domain error naming the rule."""
    now = require_aware(now, "now")
    # a command the directory completed (``directory_routing``) is decided as the one it extends
    command_type = next(t for t in type(command).__mro__ if t in _HANDLERS)
    authorise(command_type, actor, state)
    if isinstance(command, cmd.ReceiveAppeal):
        if state is not None:
            raise RuleViolated("an appeal can be received only once")
        if appeal_id is None:
            raise InvalidCommand("a new appeal needs an id")
    else:
        if state is None:
            raise RuleViolated("the appeal has not been received")
        appeal_id = state.id
        if state.is_closed and not _allowed_when_closed(state, command):
            raise RuleViolated(
                f"the appeal is closed ({state.outcome}); only 'reopen' is possible on it"
            )
        if state.status is Status.RECEIVED and not isinstance(command, _BEFORE_REGISTRATION):
            raise RuleViolated(
                "ст.8 ч.2 59-ФЗ: обращение подлежит обязательной регистрации;"
                f" the appeal must be registered before '{command.action}'"
            )
    context = Context(state, command, actor, now, policy, appeal_id)
    return _HANDLERS[command_type](command, context)


missing = set(PERMISSIONS) - set(_HANDLERS)
assert not missing, f"commands without a decision: {missing}"
assert len(_HANDLERS) == sum(  # no command decided in two places
    len(m.DECISIONS.by_command)
    for m in (
        intake,
        routing,
        answers,
        deadlines,
        article11,
        information,
        attachments,
        source_terms,
        citizen_rating,
    )
)
