"""Requests for information to other bodies (ст.10 ч.1 п.2, ч.2 59-ФЗ; after forwarding, to the body
it went to: ст.8 ч.5): sent, with the other body's 15-day term on the SLA clock, and the reply."""

from __future__ import annotations

from uuid import UUID, uuid5

import msgspec

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.decisions.context import Context, Decisions, same_body
from domain.appeals.vocabulary import Deadline, Kind
from domain.shared.errors import InvalidCommand, RuleViolated
from domain.sla.policy import ComputedDeadline, DeadlineRule, Unit, compute

DECISIONS = Decisions()
LAW = "ст.10 ч.2 59-ФЗ"
ANCHOR = "InformationRequested"
# ст.10 ч.2: the body asked answers within 15 days (calendar days, from the day after the
# request; a last day off rolls to the next working day, as every term of the law). A policy
# may name its own rule for this deadline; without one, this is the term.
STATUTORY_REPLY_RULE = DeadlineRule(
    deadline=Deadline.INFORMATION_REPLY,
    kinds=frozenset(Kind),
    anchor=ANCHOR,
    amount=15,
    unit=Unit.CALENDAR_DAYS,
)
_ANCHOR_WORDS = "направления запроса"


def request_id(appeal_id: UUID, version: int) -> UUID:
    """The request's id: derived from the appeal and its event's version, so deciding stays a
    pure function and a retried command names the same request."""
    return uuid5(appeal_id, f"information-request/{version}")


def reply_due(c: Context) -> ComputedDeadline:
    """The other body's term, counted from this request, with its provenance (naming the law)."""
    s, clock = c.s, c.policy
    anchor = c.anchor(ANCHOR)
    computed = clock.due(Deadline.INFORMATION_REPLY, s.kind, s.channel, s.topic, anchor)
    if computed is None:
        computed = compute(
            STATUTORY_REPLY_RULE,
            anchor,
            policy=clock.policy,
            calendar=clock.calendar,
            timezone=clock.timezone,
        )
    p = computed.provenance
    rule = p.rule.replace(ANCHOR, _ANCHOR_WORDS) + f" ({LAW})"
    steps = (p.steps[0].replace(p.rule, rule), *p.steps[1:])
    return msgspec.structs.replace(
        computed, provenance=msgspec.structs.replace(p, rule=rule, steps=steps)
    )


@DECISIONS.handles(cmd.RequestInformation)
def _request(command: cmd.RequestInformation, c: Context) -> list[ev.AppealEvent]:
    forwarded_to = c.s.forwarded_to
    # ст.8 ч.5: after forwarding, only the body it went to is asked, for the results
    if forwarded_to is not None and not same_body(command.to_body, forwarded_to):
        raise RuleViolated(
            f"ст.8 ч.5 59-ФЗ: the appeal was forwarded to '{forwarded_to}'; only that body is"
            " asked for the documents and materials on the results of its consideration"
        )
    if c.s.answer_published_at is not None:
        raise RuleViolated(f"{LAW}: the answer is already sent; there is nothing to request for")
    due = reply_due(c)
    return [
        ev.InformationRequested(
            **c.envelope(),
            request_id=request_id(c.appeal_id, c.next_version),
            to_body=command.to_body,
            what=command.what,
            reply_due=due.due,
            deadline_policy=c.policy.policy_id,
            deadlines=(due,),
        )
    ]


@DECISIONS.handles(cmd.RecordInformationReply)
def _reply(command: cmd.RecordInformationReply, c: Context) -> list[ev.AppealEvent]:
    request = c.s.information_request(command.request_id)
    if request is None:
        raise RuleViolated(f"{LAW}: no request for information with this id was sent")
    if request.replied_at is not None:
        raise RuleViolated(f"{LAW}: the reply to this request is already recorded")
    if c.at < request.sent_at:
        raise InvalidCommand(f"{LAW}: a reply cannot come before the request was sent")
    return [
        ev.InformationReplyReceived(
            **c.envelope(), request_id=command.request_id, summary=command.summary
        )
    ]
