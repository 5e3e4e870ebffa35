"""The appeal's intake: received, registered with its deadlines, categorised, marked a duplicate
or a repeat."""

from __future__ import annotations

from typing import Any

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.decisions import anchoring
from domain.appeals.decisions.context import Context, Decisions, present
from domain.appeals.topic_codes import CategoriseByCode
from domain.appeals.vocabulary import CHANNELS_BY_KIND, Deadline, Kind, Outcome, Status
from domain.shared.errors import InvalidCommand, RuleViolated
from domain.shared.inputs import as_record

DECISIONS = Decisions()


@DECISIONS.handles(cmd.ReceiveAppeal)
def _receive(command: cmd.ReceiveAppeal, c: Context) -> list[ev.AppealEvent]:
    if command.channel not in CHANNELS_BY_KIND[command.kind]:
        allowed = ", ".join(sorted(CHANNELS_BY_KIND[command.kind]))
        raise InvalidCommand(
            f"a {command.kind} cannot come through the channel '{command.channel}'; "
            f"its channels are: {allowed}"
        )
    if command.kind is Kind.INCIDENT and not command.external_id:
        raise InvalidCommand("an incident needs external_id: the URL of the post")
    if command.text.strip() == "":
        raise InvalidCommand("the text of the appeal cannot be blank")
    clock = c.policy.for_municipality(command.municipality)
    # Only receipt has happened (and, for a ПОС message, the platform's registration with it):
    # a deadline whose rule counts from our registration is set when the appeal is registered.
    anchors = anchoring.anchors_of(command.kind, c.anchor(anchoring.RECEIPT), None)
    kind, channel = command.kind, command.channel
    register = anchoring.due(clock, Deadline.REGISTER, kind, channel, None, anchors)
    if register is None:
        raise InvalidCommand(f"the SLA policy {clock.policy_id} sets no register deadline")
    reaction = None
    if anchoring.counts_from(clock, Deadline.FIRST_REACTION, kind, channel, None) in anchors:
        reaction = anchoring.due(clock, Deadline.FIRST_REACTION, kind, channel, None, anchors)
    return [
        ev.AppealReceived(
            **c.envelope(),
            kind=command.kind,
            channel=command.channel,
            external_id=command.external_id,
            text=command.text,
            citizen=as_record(command.citizen, ev.CitizenContact) if command.citizen else None,
            place=as_record(command.place, ev.Place) if command.place else None,
            register_due=register.due,
            deadline_policy=clock.policy_id,
            deadlines=present(register, reaction),
            municipality=clock.municipality,
            timezone=clock.timezone,
        )
    ]


@DECISIONS.handles(cmd.RegisterAppeal)
def _register(command: cmd.RegisterAppeal, c: Context) -> list[ev.AppealEvent]:
    if c.s.status is not Status.RECEIVED:
        raise RuleViolated("the appeal is already registered")
    if command.registration_number is None:
        raise InvalidCommand("a registration number is required")
    s = c.s
    # Each deadline counts from the event its rule names (a ПОС message's registration is its
    # receipt), with the topic when the appeal was categorised before.
    anchors = anchoring.anchors_of(
        s.kind, anchoring.receipt_anchor(s), c.anchor(anchoring.REGISTRATION)
    )
    answer = anchoring.due(c.policy, Deadline.ANSWER, s.kind, s.channel, s.topic, anchors)
    if answer is None:
        raise InvalidCommand(f"the SLA policy {c.policy.policy_id} sets no answer deadline")
    forward = anchoring.due(c.policy, Deadline.FORWARD, s.kind, s.channel, s.topic, anchors)
    reaction = None
    counted = anchoring.counts_from(c.policy, Deadline.FIRST_REACTION, s.kind, s.channel, s.topic)
    if s.first_reaction_due is None and counted == anchoring.REGISTRATION:
        reaction = anchoring.due(
            c.policy, Deadline.FIRST_REACTION, s.kind, s.channel, s.topic, anchors
        )
    return [
        ev.AppealRegistered(
            **c.envelope(),
            registration_number=command.registration_number,
            answer_due=answer.due,
            forward_due=forward.due if forward else None,
            first_reaction_due=reaction.due if reaction else s.first_reaction_due,
            deadline_policy=c.policy.policy_id,
            deadlines=present(answer, forward, reaction),
        )
    ]


def _codes(command: CategoriseByCode) -> dict[str, Any]:
    return {
        "topic_code": command.topic_code,
        "subtopic_code": command.subtopic_code,
        "suggested_unit": command.suggested_unit,
    }


@DECISIONS.handles(cmd.CategoriseAppeal)
def _categorise(command: cmd.CategoriseAppeal, c: Context) -> list[ev.AppealEvent]:
    # Allowed from receipt on, so a per-topic term applies from the first deadline set after it.
    events: list[ev.AppealEvent] = [
        ev.AppealCategorised(
            **c.envelope(),
            topic=command.topic,
            subtopic=command.subtopic,
            essence=command.essence,
            place=as_record(command.place, ev.Place) if command.place else None,
            tags=tuple(dict.fromkeys(command.tags)),
            **(_codes(command) if isinstance(command, CategoriseByCode) else {}),
        )
    ]
    if command.topic != c.s.topic:
        # A new topic can change the rule of a deadline already set: recompute the unmet ones.
        moved = anchoring.retimed_for_topic(c.policy, c.s, command.topic)
        if moved:
            reason = (
                f"Тема обращения: «{c.s.topic or 'не указана'}» → «{command.topic}»;"
                " сроки, правило которых зависит от темы, пересчитаны по SLA-политике"
                f" {c.policy.policy_id}."
            )
            events.append(ev.DeadlinesRetimed(**c.envelope(), deadlines=moved, reason=reason))
    return events


@DECISIONS.handles(cmd.MarkDuplicate)
def _duplicate(command: cmd.MarkDuplicate, c: Context) -> list[ev.AppealEvent]:
    if command.duplicate_of == c.s.id:
        raise InvalidCommand("an appeal cannot be a duplicate of itself")
    if c.s.answer_published_at is not None:
        raise RuleViolated("an answered appeal cannot be marked as a duplicate")
    return [
        ev.AppealMarkedDuplicate(**c.envelope(), duplicate_of=command.duplicate_of),
        ev.AppealClosed(**c.envelope(), outcome=Outcome.DUPLICATE, comment=None),
    ]


@DECISIONS.handles(cmd.LinkAsRepeat)
def _repeat(command: cmd.LinkAsRepeat, c: Context) -> list[ev.AppealEvent]:
    if command.repeat_of == c.s.id:
        raise InvalidCommand("an appeal cannot be a repeat of itself")
    if c.s.repeat_of is not None:
        raise RuleViolated("the appeal is already linked as a repeat")
    return [ev.AppealLinkedAsRepeat(**c.envelope(), repeat_of=command.repeat_of)]
