"""Where the appeal goes: assigned to a department, forwarded to another body or copied to
several (ст.8 ч.3, ч.4, ч.6 59-ФЗ), a complaint returned (ч.7), escalated."""

from __future__ import annotations

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.decisions import anchoring
from domain.appeals.decisions.context import (
    Context,
    Decisions,
    notice_time,
    require_not_complained_of,
    require_not_forwarded,
)
from domain.appeals.directory_routing import AssignToUnit, EscalateToPerson
from domain.appeals.vocabulary import Outcome, Status
from domain.shared.actors import Role
from domain.shared.errors import RuleViolated

DECISIONS = Decisions()


@DECISIONS.handles(cmd.AssignAppeal)
def _assign(command: cmd.AssignAppeal, c: Context) -> list[ev.AppealEvent]:
    require_not_forwarded(c)
    if c.s.status in (Status.ANSWER_APPROVED, Status.ANSWER_PUBLISHED, Status.ANSWER_DELIVERED):
        raise RuleViolated("the answer is already approved; reopen the appeal to reassign it")
    ids = command if isinstance(command, AssignToUnit) else None
    unit, executor = (
        (ids.unit_id, ids.executor_id) if ids else (command.department, command.executor)
    )
    if (c.s.department, c.s.executor) == (unit, executor):
        raise RuleViolated("the appeal is already assigned to this department and executor")
    return [
        ev.AppealAssigned(
            **c.envelope(),
            department=command.department,
            executor=command.executor,
            sector=command.sector,
            unit_id=ids.unit_id if ids else None,
            executor_id=ids.executor_id if ids else None,
            sector_id=ids.sector_id if ids else None,
        )
    ]


@DECISIONS.handles(cmd.ForwardAppeal)
def _forward(command: cmd.ForwardAppeal, c: Context) -> list[ev.AppealEvent]:
    """ст.8 ч.3 59-ФЗ: the whole appeal goes to the competent body, and it closes for us."""
    if c.s.answer_published_at is not None:
        raise RuleViolated("an answered appeal cannot be forwarded")
    against = command.complaint_against or c.s.complaint_against
    require_not_complained_of((command.to_body,), against)
    law = "ст.8 ч.3 59-ФЗ"
    notified = notice_time(c, command.citizen_notified_at, anchoring.registered_at(c.s), law)
    return [
        ev.AppealForwarded(
            **c.envelope(),
            to_body=command.to_body,
            reason=command.reason,
            citizen_notified_at=notified,
            complaint_against=command.complaint_against,
        ),
        ev.AppealClosed(**c.envelope(), outcome=Outcome.FORWARDED, comment=command.reason),
    ]


@DECISIONS.handles(cmd.SendCopies)
def _copies(command: cmd.SendCopies, c: Context) -> list[ev.AppealEvent]:
    """ст.8 ч.4 59-ФЗ: copies to the bodies competent for the appeal's other questions; our part
    stays open (its term is the forward deadline: 7 days from registration, ст.8 ч.3)."""
    require_not_forwarded(c)
    if c.s.answer_published_at is not None:
        raise RuleViolated("an answered appeal cannot be copied to other bodies")
    bodies = tuple(dict.fromkeys(command.to_bodies))
    already = [b for b in bodies if b in c.s.copied_to]
    if already:
        raise RuleViolated(f"a copy of the appeal already went to: {', '.join(already)}")
    require_not_complained_of(bodies, command.complaint_against or c.s.complaint_against)
    law = "ст.8 ч.4 59-ФЗ"
    notified = notice_time(c, command.citizen_notified_at, anchoring.registered_at(c.s), law)
    return [
        ev.AppealCopiesSent(
            **c.envelope(),
            to_bodies=bodies,
            reason=command.reason,
            citizen_notified_at=notified,
            complaint_against=command.complaint_against,
        )
    ]


@DECISIONS.handles(cmd.ReturnComplaint)
def _return_complaint(command: cmd.ReturnComplaint, c: Context) -> list[ev.AppealEvent]:
    """ст.8 ч.7 59-ФЗ: a complaint the ban of ч.6 keeps from the competent body goes back to the
    citizen, told of the right to appeal the decision or act in court; the appeal closes."""
    law = "ст.8 ч.7 59-ФЗ"
    against = command.complaint_against or c.s.complaint_against
    if against is None:
        raise RuleViolated(
            f"{law}: возвращается жалоба; name the body or official it is about"
            " (`complaint_against`)"
        )
    if c.s.answer_published_at is not None:
        raise RuleViolated(f"{law}: an answered complaint cannot be returned")
    notice = ev.CitizenNotice(
        what=(
            "Жалоба возвращается: её нельзя направить в орган или должностному лицу, решение"
            " или действие (бездействие) которых обжалуется; разъясняется право обжаловать"
            f" решение или действие (бездействие) в суде ({law})"
        ),
        to=command.notice.recipient,
        channel=command.notice.channel,
        at=c.at,
        template_id=command.notice.template_id,
    )
    return [
        ev.ComplaintReturned(
            **c.envelope(),
            complaint_against=against,
            reason=command.reason,
            court_explanation=command.court_explanation,
            notice=notice,
        ),
        ev.AppealClosed(**c.envelope(), outcome=Outcome.RETURNED, comment=law),
    ]


@DECISIONS.handles(cmd.EscalateAppeal)
def _escalate(command: cmd.EscalateAppeal, c: Context) -> list[ev.AppealEvent]:
    return [
        ev.AppealEscalated(
            **c.envelope(),
            to=command.to,
            to_person=command.to_person,
            to_person_id=command.to_person_id if isinstance(command, EscalateToPerson) else None,
            reason=command.reason,
            automatic=c.actor.role is Role.SYSTEM,
        )
    ]
