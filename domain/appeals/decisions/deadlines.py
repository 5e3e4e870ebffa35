"""The appeal's deadlines: extended, paused and resumed, breached, re-timed."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.decisions import anchoring
from domain.appeals.decisions.context import Context, Decisions, require_not_forwarded
from domain.appeals.directory_routing import BreachEscalatingToPerson
from domain.appeals.state import AppealState
from domain.appeals.vocabulary import Deadline, ExtensionGround, Kind, NoticeRecipient
from domain.shared.actors import Role
from domain.shared.errors import InvalidCommand, RuleViolated
from domain.shared.time import ALLOWED_CLOCK_SKEW, require_aware
from domain.sla.policy import Unit

DECISIONS = Decisions()


# ст.12 ч.2 59-ФЗ for appeals; for the other kinds extended once (ПОС messages) the ЕПГУ rules'
# extension terms could not be confirmed, so their cap is the policy's and never more than the
# kind's own answer term in days (a 10-day message is not stretched by 30 days).
_LAW = {Kind.APPEAL: "ст.12 ч.2 59-ФЗ", Kind.MESSAGE: "ПОС (ПП РФ № 1802)"}
APPEAL_EXTENSION_DAYS = 30  # ст.12 ч.2 59-ФЗ: «не более чем на 30 дней»


def extension_cap(c: Context) -> int:
    """The most days the answer term of this appeal may be extended by, in all."""
    s, cap = c.s, c.policy.max_extension_days
    if s.kind is Kind.APPEAL:
        return min(cap, APPEAL_EXTENSION_DAYS)
    rule = c.policy.policy.rule(Deadline.ANSWER, s.kind, s.channel, s.topic)
    if (
        s.kind in c.policy.single_extension
        and rule is not None
        and rule.unit is not Unit.WORKING_HOURS
    ):
        return min(cap, rule.amount)
    return cap


def _check_extension(command: cmd.ExtendDeadline, c: Context, law: str) -> None:
    s = c.s
    once = c.policy.single_extension | {Kind.APPEAL}  # the law's for appeals, whatever the policy
    if s.kind in once and s.extensions >= 1:
        raise RuleViolated(
            f"{law}: срок продлевается не более одного раза"
            f" (the deadline of a {s.kind} can be extended only once)"
        )
    cap = extension_cap(c)
    if s.extension_days + command.days > cap:
        left = cap - s.extension_days
        raise RuleViolated(
            f"{law}: an extension cannot exceed the legal cap of {cap} days in all;"
            f" {left} day(s) are left"
        )
    request_id = command.information_request_id
    if command.ground is ExtensionGround.INFORMATION_REQUESTED and request_id is None:
        raise InvalidCommand(
            f"{law}: the ground 'information_requested' cites the request sent (ст.10 ч.2):"
            " `information_request_id` is required"
        )
    if request_id is not None and s.information_request(request_id) is None:
        raise RuleViolated(
            f"{law}: no request for information (ст.10 ч.2) with this id was sent on the appeal"
        )


def _notified_at(command: cmd.ExtendDeadline, c: Context, law: str) -> datetime:
    """The notice's time: within [registration, now] (a notice cannot precede the appeal)."""
    notified = require_aware(command.citizen_notified_at, "citizen_notified_at")
    if notified > c.now + ALLOWED_CLOCK_SKEW:
        raise InvalidCommand("citizen_notified_at cannot be in the future")
    registered = c.s.registered_at
    if registered is not None and notified < registered:
        raise InvalidCommand(f"{law}: citizen_notified_at cannot be before the registration")
    return notified


@DECISIONS.handles(cmd.ExtendDeadline)
def _extend(command: cmd.ExtendDeadline, c: Context) -> list[ev.AppealEvent]:
    s = c.s
    require_not_forwarded(c)
    if s.answer_due is None:
        raise RuleViolated("the appeal has no answer deadline to extend")
    if s.answer_published_at is not None:
        raise RuleViolated("the answer is already sent; there is nothing to extend")
    law = _LAW.get(s.kind, "SLA policy")
    _check_extension(command, c, law)
    notified = _notified_at(command, c, law)
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
    until = (new_due - timedelta(microseconds=1)).astimezone(c.policy.zone)
    notice = ev.CitizenNotice(
        what=f"Срок рассмотрения продлён на {command.days} дн., до {until:%d.%m.%Y} ({law})",
        to=NoticeRecipient.CITIZEN,
        channel=command.notice_channel or s.channel,
        at=notified,
        template_id=command.notice_template,
    )
    return [
        ev.DeadlineExtended(
            **c.envelope(),
            deadline=Deadline.ANSWER,
            previous_due=s.answer_due,
            new_due=new_due,
            days=command.days,
            reason=command.reason,
            approver=c.actor.name,
            citizen_notified_at=notified,
            deadline_policy=c.policy.policy_id,
            deadlines=(extended,),
            ground=command.ground,
            information_request_id=command.information_request_id,
            approved_by=c.actor.id,
            notice=notice,
        )
    ]


@DECISIONS.handles(cmd.PauseAppeal)
def _pause(command: cmd.PauseAppeal, c: Context) -> list[ev.AppealEvent]:
    if c.s.kind not in c.policy.pausable:
        raise RuleViolated(f"the clock of a {c.s.kind} cannot be paused under the policy")
    if c.s.is_paused:
        raise RuleViolated("the appeal is already paused")
    if c.s.answer_published_at is not None:
        raise RuleViolated("the answer is already sent; there is no clock to pause")
    return [ev.AppealPaused(**c.envelope(), reason=command.reason)]


@DECISIONS.handles(cmd.ResumeAppeal)
def _resume(command: cmd.ResumeAppeal, c: Context) -> list[ev.AppealEvent]:
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


def _deadline_state(s: AppealState, deadline: Deadline) -> tuple[datetime | None, bool]:
    """(due, met) for a deadline of the appeal."""
    if deadline is Deadline.REGISTER:
        return s.register_due, s.registered_at is not None
    if deadline is Deadline.FORWARD:
        # routed: forwarded, our part assigned, copies sent (ст.8 ч.4) or a ст.11 decision
        routed = s.forwarded_to is not None or s.department is not None
        return s.forward_due, routed or s.routed_at is not None
    if deadline is Deadline.FIRST_REACTION:
        return s.first_reaction_due, s.first_reaction_at is not None
    if deadline is Deadline.NOTICE:  # issue 14: the notice of a 59-ФЗ ст. 11 decision
        return s.notice_due, s.notice_given_at is not None
    if deadline is Deadline.INFORMATION_REPLY:
        reply = s.information_reply
        return (reply[0], reply[2] is not None) if reply else (None, False)
    return s.answer_due, s.answer_published_at is not None


@DECISIONS.handles(cmd.RecordDeadlineBreach)
def _breach(command: cmd.RecordDeadlineBreach, c: Context) -> list[ev.AppealEvent]:
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
        # the directory named whom (issue 15)
        whom = command if isinstance(command, BreachEscalatingToPerson) else None
        events.append(
            ev.AppealEscalated(
                **c.envelope(),
                to=command.escalate_to,
                to_person=whom.to_person if whom else None,
                to_person_id=whom.to_person_id if whom else None,
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
    Deadline.NOTICE: "уведомление по ст.11 59-ФЗ",
    Deadline.INFORMATION_REPLY: "ответ на запрос (ст.10 ч.2 59-ФЗ)",
}


@DECISIONS.handles(cmd.RetimeDeadlines)
def _retime(command: cmd.RetimeDeadlines, c: Context) -> list[ev.AppealEvent]:
    changed = []
    for computed in command.deadlines:
        if computed.deadline is Deadline.INFORMATION_REPLY:
            continue  # another body's statutory term: never re-timed
        due, met = _deadline_state(c.s, computed.deadline)
        if due is None or met:
            continue  # judged already, or not a deadline of this appeal: stays as it was
        if c.s.is_paused and computed.deadline is Deadline.ANSWER:
            continue  # re-timed when it resumes
        if anchoring.set_by_source(c.s, computed.deadline):
            continue  # the source's deadline governs (issue 16): never recomputed by ours
        if computed.due != due:
            changed.append(computed)
    if not changed:
        raise RuleViolated("no open deadline of the appeal changes")
    return [ev.DeadlinesRetimed(**c.envelope(), deadlines=tuple(changed), reason=command.reason)]
