"""The appeal's intake: received, registered with its deadlines, categorised, marked a duplicate
or a repeat."""

from __future__ import annotations

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.decisions.context import Context, Decisions, present
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
    anchor = c.anchor("AppealReceived")
    clock = c.policy.for_municipality(command.municipality)
    register = clock.due(Deadline.REGISTER, command.kind, command.channel, None, anchor)
    if register is None:
        raise InvalidCommand(f"the SLA policy {clock.policy_id} sets no register deadline")
    reaction = clock.due(Deadline.FIRST_REACTION, command.kind, command.channel, None, anchor)
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
    anchor = c.anchor("AppealRegistered")
    answer = c.policy.due(Deadline.ANSWER, s.kind, s.channel, s.topic, anchor)
    if answer is None:
        raise InvalidCommand(f"the SLA policy {c.policy.policy_id} sets no answer deadline")
    forward = c.policy.due(Deadline.FORWARD, s.kind, s.channel, s.topic, anchor)
    return [
        ev.AppealRegistered(
            **c.envelope(),
            registration_number=command.registration_number,
            answer_due=answer.due,
            forward_due=forward.due if forward else None,
            first_reaction_due=s.first_reaction_due,
            deadline_policy=c.policy.policy_id,
            deadlines=present(answer, forward),
        )
    ]


@DECISIONS.handles(cmd.CategoriseAppeal)
def _categorise(command: cmd.CategoriseAppeal, c: Context) -> list[ev.AppealEvent]:
    return [
        ev.AppealCategorised(
            **c.envelope(),
            topic=command.topic,
            subtopic=command.subtopic,
            essence=command.essence,
            place=as_record(command.place, ev.Place) if command.place else None,
            tags=tuple(dict.fromkeys(command.tags)),
        )
    ]


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
