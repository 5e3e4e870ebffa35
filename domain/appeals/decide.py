"""``decide(state, command, actor, now, policy) -> events``: the appeal's rules as pure functions.

Each rule that fails raises a domain error whose message names the rule. Time is passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.state import AppealState
from domain.appeals.vocabulary import CHANNELS_BY_KIND, Deadline, Kind, Outcome, Status
from domain.shared.actors import Actor, Role, within_department
from domain.shared.errors import Forbidden, InvalidCommand, RuleViolated
from domain.shared.inputs import as_record
from domain.shared.time import ALLOWED_CLOCK_SKEW_SECONDS, require_aware
from domain.sla.clock import SlaClock
from domain.sla.policy import Anchor, ComputedDeadline

_STAFF = frozenset({Role.OPERATOR, Role.CURATOR, Role.HEAD})
_ANSWERERS = _STAFF | {Role.EXECUTOR}

# Who may issue which command. Executors act only on their own department's appeals.
PERMISSIONS: dict[type[cmd.Command], frozenset[Role]] = {
    cmd.ReceiveAppeal: _STAFF,
    cmd.RegisterAppeal: _STAFF,
    cmd.CategoriseAppeal: _STAFF,
    cmd.AssignAppeal: _STAFF,
    cmd.ForwardAppeal: _STAFF,
    cmd.ExtendDeadline: _STAFF,
    cmd.PauseAppeal: _ANSWERERS,
    cmd.ResumeAppeal: _ANSWERERS,
    cmd.GiveInterimAnswer: _ANSWERERS,
    cmd.DraftAnswer: _ANSWERERS,
    cmd.ApproveAnswer: _STAFF,
    cmd.ReturnAnswerForRework: _STAFF,
    cmd.PublishAnswer: _STAFF,
    cmd.ConfirmAnswerDelivery: _STAFF,
    cmd.FastTrackAppeal: _ANSWERERS,
    cmd.RateSatisfaction: _STAFF,
    cmd.ReopenAppeal: _STAFF,
    cmd.MarkDuplicate: _STAFF,
    cmd.LinkAsRepeat: _STAFF,
    cmd.LeaveWithoutAnswer: _STAFF,
    cmd.EscalateAppeal: _ANSWERERS | {Role.SYSTEM},
    cmd.RecordDeadlineBreach: _STAFF | {Role.SYSTEM},
    cmd.RetimeDeadlines: frozenset({Role.SYSTEM}),
    cmd.CloseAppeal: _STAFF,
}


def authorise(command: type[cmd.Command], actor: Actor, state: AppealState | None) -> None:
    allowed = PERMISSIONS[command]
    if actor.role not in allowed:
        roles = ", ".join(sorted(allowed))
        raise Forbidden(f"the role '{actor.role}' may not {command.action}; allowed: {roles}")
    if state is not None and not within_department(actor, state.department):
        raise Forbidden(
            "a department executor may act only on appeals assigned to their department"
        )


def business_time(command: cmd.Command, now: datetime, state: AppealState | None) -> datetime:
    """The act's business time: given or now; never in the future, never before receipt."""
    if command.occurred_at is None:
        return now
    moment = require_aware(command.occurred_at, "occurred_at")
    if moment > now + timedelta(seconds=ALLOWED_CLOCK_SKEW_SECONDS):
        raise InvalidCommand("occurred_at cannot be in the future")
    if state is not None and moment < state.received_at:
        raise InvalidCommand("occurred_at cannot be earlier than the appeal's receipt")
    return moment


class _Context:
    """What every decision needs to stamp its events."""

    def __init__(
        self,
        state: AppealState | None,
        command: cmd.Command,
        actor: Actor,
        now: datetime,
        policy: SlaClock,
        appeal_id: UUID,
    ) -> None:
        self.state = state
        self.actor = actor
        self.now = now
        # An appeal's deadlines count in the time zone it was received under.
        self.policy = policy.in_zone(state.timezone) if state is not None else policy
        self.appeal_id = appeal_id
        self.at = business_time(command, now, state)
        self._next_version = (state.version if state else 0) + 1

    def anchor(self, event: str) -> Anchor:
        """The event about to be stamped, as the anchor of the deadlines it starts."""
        return Anchor(event=event, version=self._next_version, at=self.at)

    def envelope(self) -> dict[str, Any]:
        version = self._next_version
        self._next_version += 1
        return {
            "originator_id": self.appeal_id,
            "originator_version": version,
            "timestamp": self.now,
            "occurred_at": self.at,
            "actor": self.actor,
        }

    @property
    def s(self) -> AppealState:
        assert self.state is not None
        return self.state


C = TypeVar("C", bound=cmd.Command)
Handler = Callable[[Any, _Context], list[ev.AppealEvent]]
_HANDLERS: dict[type[cmd.Command], Handler] = {}


def _handles(
    command_type: type[C],
) -> Callable[[Callable[[C, _Context], list[ev.AppealEvent]]], Handler]:
    def register(fn: Callable[[C, _Context], list[ev.AppealEvent]]) -> Handler:
        _HANDLERS[command_type] = fn
        return fn

    return register


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
    command_type = type(command)
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
        if state.is_closed and not isinstance(command, cmd.ReopenAppeal):
            raise RuleViolated(
                f"the appeal is closed ({state.outcome}); only 'reopen' is possible on it"
            )
        if state.status is Status.RECEIVED and not isinstance(
            command,
            cmd.RegisterAppeal
            | cmd.CloseAppeal
            | cmd.LeaveWithoutAnswer
            | cmd.RecordDeadlineBreach
            | cmd.RetimeDeadlines
            | cmd.EscalateAppeal,
        ):
            raise RuleViolated(f"the appeal must be registered before '{command.action}'")
    context = _Context(state, command, actor, now, policy, appeal_id)
    return _HANDLERS[command_type](command, context)


def _require_assigned(c: _Context, action: str) -> None:
    if c.s.department is None:
        raise RuleViolated(f"{action} cannot be given before the appeal is assigned")


def _require_not_forwarded(c: _Context) -> None:
    if c.s.forwarded_to is not None:
        raise RuleViolated("the appeal was forwarded to another body")


@_handles(cmd.ReceiveAppeal)
def _receive(command: cmd.ReceiveAppeal, c: _Context) -> list[ev.AppealEvent]:
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
            deadlines=_present(register, reaction),
            municipality=clock.municipality,
            timezone=clock.timezone,
        )
    ]


@_handles(cmd.RegisterAppeal)
def _register(command: cmd.RegisterAppeal, c: _Context) -> list[ev.AppealEvent]:
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
            deadlines=_present(answer, forward),
        )
    ]


def _present(*computed: ComputedDeadline | None) -> tuple[ComputedDeadline, ...]:
    return tuple(d for d in computed if d is not None)


@_handles(cmd.CategoriseAppeal)
def _categorise(command: cmd.CategoriseAppeal, c: _Context) -> list[ev.AppealEvent]:
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


@_handles(cmd.AssignAppeal)
def _assign(command: cmd.AssignAppeal, c: _Context) -> list[ev.AppealEvent]:
    _require_not_forwarded(c)
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


@_handles(cmd.ForwardAppeal)
def _forward(command: cmd.ForwardAppeal, c: _Context) -> list[ev.AppealEvent]:
    if c.s.answer_published_at is not None:
        raise RuleViolated("an answered appeal cannot be forwarded")
    notified = require_aware(command.citizen_notified_at, "citizen_notified_at")
    if notified > c.now + timedelta(seconds=ALLOWED_CLOCK_SKEW_SECONDS):
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


@_handles(cmd.ExtendDeadline)
def _extend(command: cmd.ExtendDeadline, c: _Context) -> list[ev.AppealEvent]:
    s = c.s
    _require_not_forwarded(c)
    if s.answer_due is None:
        raise RuleViolated("the appeal has no answer deadline to extend")
    if s.answer_published_at is not None:
        raise RuleViolated("the answer is already sent; there is nothing to extend")
    if s.kind in c.policy.single_extension and s.extensions >= 1:
        raise RuleViolated(f"the deadline of a {s.kind} can be extended only once")
    cap = c.policy.max_extension_days
    if s.extension_days + command.days > cap:
        left = cap - s.extension_days
        raise RuleViolated(
            f"an extension cannot exceed the legal cap of {cap} days in all; {left} day(s) are left"
        )
    notified = require_aware(command.citizen_notified_at, "citizen_notified_at")
    if notified > c.now + timedelta(seconds=ALLOWED_CLOCK_SKEW_SECONDS):
        raise InvalidCommand("citizen_notified_at cannot be in the future")
    extended = c.policy.extended(
        Deadline.ANSWER,
        s.kind,
        s.channel,
        s.topic,
        s.answer_due,
        command.days,
        c.anchor("DeadlineExtended"),
    )
    new_due = extended.due
    if new_due <= s.answer_due:  # guarded by days >= 1; kept because the rule is the law's
        raise RuleViolated("an extension cannot shorten a deadline")
    return [
        ev.DeadlineExtended(
            **c.envelope(),
            deadline=Deadline.ANSWER,
            previous_due=s.answer_due,
            new_due=new_due,
            days=command.days,
            reason=command.reason,
            approver=command.approver,
            citizen_notified_at=notified,
            deadline_policy=c.policy.policy_id,
            deadlines=(extended,),
        )
    ]


@_handles(cmd.PauseAppeal)
def _pause(command: cmd.PauseAppeal, c: _Context) -> list[ev.AppealEvent]:
    if c.s.kind not in c.policy.pausable:
        raise RuleViolated(f"the clock of a {c.s.kind} cannot be paused under the policy")
    if c.s.is_paused:
        raise RuleViolated("the appeal is already paused")
    if c.s.answer_published_at is not None:
        raise RuleViolated("the answer is already sent; there is no clock to pause")
    return [ev.AppealPaused(**c.envelope(), reason=command.reason)]


@_handles(cmd.ResumeAppeal)
def _resume(command: cmd.ResumeAppeal, c: _Context) -> list[ev.AppealEvent]:
    s = c.s
    if s.paused_since is None:
        raise RuleViolated("the appeal is not paused")
    if c.at < s.paused_since:
        raise InvalidCommand("an appeal cannot resume before it was paused")
    paused = c.at - s.paused_since
    assert s.answer_due is not None
    resumed = c.policy.resumed(
        Deadline.ANSWER,
        s.kind,
        s.channel,
        s.topic,
        s.answer_due,
        paused,
        c.anchor("AppealResumed"),
    )
    return [
        ev.AppealResumed(
            **c.envelope(),
            paused_seconds=int(paused.total_seconds()),
            answer_due=resumed.due,
            deadline_policy=c.policy.policy_id,
            deadlines=(resumed,),
        )
    ]


@_handles(cmd.GiveInterimAnswer)
def _interim(command: cmd.GiveInterimAnswer, c: _Context) -> list[ev.AppealEvent]:
    _require_assigned(c, "an interim answer")
    _require_not_forwarded(c)
    return [
        ev.InterimAnswerGiven(
            **c.envelope(), text=command.text, channel=command.channel or c.s.channel
        )
    ]


@_handles(cmd.DraftAnswer)
def _draft(command: cmd.DraftAnswer, c: _Context) -> list[ev.AppealEvent]:
    _require_assigned(c, "an answer")
    _require_not_forwarded(c)
    if c.s.status in (Status.ANSWER_APPROVED, Status.ANSWER_PUBLISHED, Status.ANSWER_DELIVERED):
        raise RuleViolated("the answer is already approved; reopen the appeal for a new answer")
    if command.fix_date is not None and command.fix_date < c.at.date():
        raise InvalidCommand("the date for the fix cannot be in the past")
    return [
        ev.AnswerDrafted(
            **c.envelope(), text=command.text, fix_date=command.fix_date, evidence=command.evidence
        )
    ]


@_handles(cmd.ApproveAnswer)
def _approve(command: cmd.ApproveAnswer, c: _Context) -> list[ev.AppealEvent]:
    if c.s.status is not Status.ANSWER_DRAFTED:
        raise RuleViolated("only a drafted answer can be approved")
    return [ev.AnswerApproved(**c.envelope(), comment=command.comment)]


@_handles(cmd.ReturnAnswerForRework)
def _return(command: cmd.ReturnAnswerForRework, c: _Context) -> list[ev.AppealEvent]:
    if c.s.status is not Status.ANSWER_DRAFTED:
        raise RuleViolated("only a drafted answer can be returned for rework")
    return [
        ev.AnswerReturnedForRework(**c.envelope(), reason=command.reason, comment=command.comment)
    ]


@_handles(cmd.PublishAnswer)
def _publish(command: cmd.PublishAnswer, c: _Context) -> list[ev.AppealEvent]:
    if c.s.status is not Status.ANSWER_APPROVED:
        raise RuleViolated("an answer can be sent only after the control centre approved it")
    if c.s.is_paused:
        raise RuleViolated("the appeal is paused; resume it before sending the answer")
    return [ev.AnswerPublished(**c.envelope(), channel=command.channel or c.s.channel)]


@_handles(cmd.ConfirmAnswerDelivery)
def _deliver(command: cmd.ConfirmAnswerDelivery, c: _Context) -> list[ev.AppealEvent]:
    if c.s.status is not Status.ANSWER_PUBLISHED:
        raise RuleViolated("delivery can be confirmed only for a sent answer")
    return [
        ev.AnswerDelivered(
            **c.envelope(), channel=c.s.channel, delivery_reference=command.delivery_reference
        )
    ]


@_handles(cmd.FastTrackAppeal)
def _fast_track(command: cmd.FastTrackAppeal, c: _Context) -> list[ev.AppealEvent]:
    _require_assigned(c, "a fast-track solution")
    if c.s.fast_tracked:
        raise RuleViolated("the appeal is already fast-tracked")
    if c.s.answer_published_at is not None:
        raise RuleViolated("the answer is already sent; a fast track comes before it")
    return [ev.AppealFastTracked(**c.envelope(), resolution=command.resolution)]


@_handles(cmd.RateSatisfaction)
def _rate(command: cmd.RateSatisfaction, c: _Context) -> list[ev.AppealEvent]:
    if c.s.status is not Status.ANSWER_DELIVERED:
        raise RuleViolated("a satisfaction score can be given only after the answer was delivered")
    if c.s.rated_current_answer:
        raise RuleViolated("this answer is already rated")
    return [ev.SatisfactionRated(**c.envelope(), score=command.score, comment=command.comment)]


@_handles(cmd.ReopenAppeal)
def _reopen(command: cmd.ReopenAppeal, c: _Context) -> list[ev.AppealEvent]:
    s = c.s
    if s.is_closed and s.outcome is not Outcome.ANSWERED:
        raise RuleViolated(f"an appeal closed as {s.outcome} cannot be reopened")
    if not s.is_closed and s.status not in (Status.ANSWER_PUBLISHED, Status.ANSWER_DELIVERED):
        raise RuleViolated("only an answered or closed appeal can be reopened")
    return [ev.AppealReopened(**c.envelope(), reason=command.reason, by=command.by)]


@_handles(cmd.MarkDuplicate)
def _duplicate(command: cmd.MarkDuplicate, c: _Context) -> list[ev.AppealEvent]:
    if command.duplicate_of == c.s.id:
        raise InvalidCommand("an appeal cannot be a duplicate of itself")
    if c.s.answer_published_at is not None:
        raise RuleViolated("an answered appeal cannot be marked as a duplicate")
    return [
        ev.AppealMarkedDuplicate(**c.envelope(), duplicate_of=command.duplicate_of),
        ev.AppealClosed(**c.envelope(), outcome=Outcome.DUPLICATE, comment=None),
    ]


@_handles(cmd.LinkAsRepeat)
def _repeat(command: cmd.LinkAsRepeat, c: _Context) -> list[ev.AppealEvent]:
    if command.repeat_of == c.s.id:
        raise InvalidCommand("an appeal cannot be a repeat of itself")
    if c.s.repeat_of is not None:
        raise RuleViolated("the appeal is already linked as a repeat")
    return [ev.AppealLinkedAsRepeat(**c.envelope(), repeat_of=command.repeat_of)]


@_handles(cmd.LeaveWithoutAnswer)
def _leave(command: cmd.LeaveWithoutAnswer, c: _Context) -> list[ev.AppealEvent]:
    if c.s.answer_published_at is not None:
        raise RuleViolated("the appeal already has an answer")
    return [
        ev.AppealLeftWithoutAnswer(**c.envelope(), ground=command.ground, comment=command.comment),
        ev.AppealClosed(**c.envelope(), outcome=Outcome.LEFT_WITHOUT_ANSWER, comment=None),
    ]


@_handles(cmd.EscalateAppeal)
def _escalate(command: cmd.EscalateAppeal, c: _Context) -> list[ev.AppealEvent]:
    return [
        ev.AppealEscalated(
            **c.envelope(),
            to=command.to,
            to_person=command.to_person,
            reason=command.reason,
            automatic=c.actor.role is Role.SYSTEM,
        )
    ]


def _deadline_state(s: AppealState, deadline: Deadline) -> tuple[datetime | None, bool]:
    """(due, met) for a deadline of the appeal."""
    if deadline is Deadline.REGISTER:
        return s.register_due, s.registered_at is not None
    if deadline is Deadline.FORWARD:
        return s.forward_due, s.forwarded_to is not None or s.department is not None
    if deadline is Deadline.FIRST_REACTION:
        return s.first_reaction_due, s.first_reaction_at is not None
    return s.answer_due, s.answer_published_at is not None


@_handles(cmd.RecordDeadlineBreach)
def _breach(command: cmd.RecordDeadlineBreach, c: _Context) -> list[ev.AppealEvent]:
    due, met = _deadline_state(c.s, command.deadline)
    if due is None:
        raise RuleViolated(f"the appeal has no '{command.deadline}' deadline")
    if met:
        raise RuleViolated(f"the '{command.deadline}' deadline was met")
    if c.s.is_paused:
        raise RuleViolated("the clock is stopped while the appeal is paused")
    if c.now <= due:
        raise RuleViolated(f"the '{command.deadline}' deadline has not passed yet (due {due})")
    if any(b.deadline is command.deadline and b.due == due for b in c.s.breaches):
        raise RuleViolated(f"the breach of the '{command.deadline}' deadline is already recorded")
    events: list[ev.AppealEvent] = [
        ev.DeadlineBreached(**c.envelope(), deadline=command.deadline, due=due)
    ]
    if command.escalate_to is not None:  # in the same transaction: never a breach without it
        events.append(
            ev.AppealEscalated(
                **c.envelope(),
                to=command.escalate_to,
                to_person=None,
                reason=f"Нарушен срок «{DEADLINE_WORDS[command.deadline]}»:"
                f" {due.astimezone(c.policy.zone):%d.%m.%Y %H:%M}",
                automatic=c.actor.role is Role.SYSTEM,
            )
        )
    return events


DEADLINE_WORDS = {
    Deadline.REGISTER: "регистрация",
    Deadline.FORWARD: "переадресация",
    Deadline.FIRST_REACTION: "первая реакция",
    Deadline.ANSWER: "ответ",
}


@_handles(cmd.RetimeDeadlines)
def _retime(command: cmd.RetimeDeadlines, c: _Context) -> list[ev.AppealEvent]:
    changed = []
    for computed in command.deadlines:
        due, met = _deadline_state(c.s, computed.deadline)
        if due is None or met:
            continue  # judged already, or not a deadline of this appeal: stays as it was
        if c.s.is_paused and computed.deadline is Deadline.ANSWER:
            continue  # re-timed when it resumes
        if computed.due != due:
            changed.append(computed)
    if not changed:
        raise RuleViolated("no open deadline of the appeal changes")
    return [ev.DeadlinesRetimed(**c.envelope(), deadlines=tuple(changed), reason=command.reason)]


@_handles(cmd.CloseAppeal)
def _close(command: cmd.CloseAppeal, c: _Context) -> list[ev.AppealEvent]:
    if command.outcome is Outcome.ANSWERED:
        if c.s.status is not Status.ANSWER_DELIVERED:
            raise RuleViolated("an appeal can be closed as answered only after delivery")
    elif command.outcome is not Outcome.WITHDRAWN:
        raise InvalidCommand(
            f"the outcome '{command.outcome}' is recorded by its own command, not by 'close'"
        )
    return [ev.AppealClosed(**c.envelope(), outcome=command.outcome, comment=command.comment)]


missing = set(PERMISSIONS) - set(_HANDLERS)
assert not missing, f"commands without a decision: {missing}"
