"""The appeal's answers: interim, drafted, approved or returned, published, delivered, fast-tracked,
rated; reopened, left without an answer, closed."""

from __future__ import annotations

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.decisions.context import (
    Context,
    Decisions,
    require_assigned,
    require_not_forwarded,
)
from domain.appeals.decisions.grounds import ARTICLE11_PART_OF, require_ground_of_kind
from domain.appeals.vocabulary import Kind, Outcome, Status
from domain.shared.errors import InvalidCommand, RuleViolated

DECISIONS = Decisions()


@DECISIONS.handles(cmd.GiveInterimAnswer)
def _interim(command: cmd.GiveInterimAnswer, c: Context) -> list[ev.AppealEvent]:
    require_assigned(c, "an interim answer")
    require_not_forwarded(c)
    return [
        ev.InterimAnswerGiven(
            **c.envelope(), text=command.text, channel=command.channel or c.s.channel
        )
    ]


@DECISIONS.handles(cmd.DraftAnswer)
def _draft(command: cmd.DraftAnswer, c: Context) -> list[ev.AppealEvent]:
    require_assigned(c, "an answer")
    require_not_forwarded(c)
    if c.s.status in (Status.ANSWER_APPROVED, Status.ANSWER_PUBLISHED, Status.ANSWER_DELIVERED):
        raise RuleViolated("the answer is already approved; reopen the appeal for a new answer")
    if command.fix_date is not None and command.fix_date < c.at.date():
        raise InvalidCommand("the date for the fix cannot be in the past")
    return [
        ev.AnswerDrafted(
            **c.envelope(), text=command.text, fix_date=command.fix_date, evidence=command.evidence
        )
    ]


@DECISIONS.handles(cmd.ApproveAnswer)
def _approve(command: cmd.ApproveAnswer, c: Context) -> list[ev.AppealEvent]:
    if c.s.status is not Status.ANSWER_DRAFTED:
        raise RuleViolated("only a drafted answer can be approved")
    return [ev.AnswerApproved(**c.envelope(), comment=command.comment)]


@DECISIONS.handles(cmd.ReturnAnswerForRework)
def _return(command: cmd.ReturnAnswerForRework, c: Context) -> list[ev.AppealEvent]:
    if c.s.status is not Status.ANSWER_DRAFTED:
        raise RuleViolated("only a drafted answer can be returned for rework")
    return [
        ev.AnswerReturnedForRework(**c.envelope(), reason=command.reason, comment=command.comment)
    ]


@DECISIONS.handles(cmd.PublishAnswer)
def _publish(command: cmd.PublishAnswer, c: Context) -> list[ev.AppealEvent]:
    if c.s.status is not Status.ANSWER_APPROVED:
        raise RuleViolated("an answer can be sent only after the control centre approved it")
    if c.s.is_paused:
        raise RuleViolated("the appeal is paused; resume it before sending the answer")
    return [ev.AnswerPublished(**c.envelope(), channel=command.channel or c.s.channel)]


@DECISIONS.handles(cmd.ConfirmAnswerDelivery)
def _deliver(command: cmd.ConfirmAnswerDelivery, c: Context) -> list[ev.AppealEvent]:
    if c.s.status is not Status.ANSWER_PUBLISHED:
        raise RuleViolated("delivery can be confirmed only for a sent answer")
    return [
        ev.AnswerDelivered(
            **c.envelope(), channel=c.s.channel, delivery_reference=command.delivery_reference
        )
    ]


@DECISIONS.handles(cmd.FastTrackAppeal)
def _fast_track(command: cmd.FastTrackAppeal, c: Context) -> list[ev.AppealEvent]:
    require_assigned(c, "a fast-track solution")
    if c.s.fast_tracked:
        raise RuleViolated("the appeal is already fast-tracked")
    if c.s.answer_published_at is not None:
        raise RuleViolated("the answer is already sent; a fast track comes before it")
    return [ev.AppealFastTracked(**c.envelope(), resolution=command.resolution)]


@DECISIONS.handles(cmd.RateSatisfaction)
def _rate(command: cmd.RateSatisfaction, c: Context) -> list[ev.AppealEvent]:
    if c.s.status is not Status.ANSWER_DELIVERED:
        raise RuleViolated("a satisfaction score can be given only after the answer was delivered")
    # issue 17: the citizen's own score (the link) does not stop staff typing the one they were
    # told; the ratings prefer the citizen's as their methodology says
    if c.s.staff_rated_current_answer:
        raise RuleViolated("this answer is already rated")
    return [ev.SatisfactionRated(**c.envelope(), score=command.score, comment=command.comment)]


@DECISIONS.handles(cmd.ReopenAppeal)
def _reopen(command: cmd.ReopenAppeal, c: Context) -> list[ev.AppealEvent]:
    s = c.s
    if s.is_closed and s.outcome is not Outcome.ANSWERED:
        raise RuleViolated(f"an appeal closed as {s.outcome} cannot be reopened")
    if not s.is_closed and s.status not in (Status.ANSWER_PUBLISHED, Status.ANSWER_DELIVERED):
        raise RuleViolated("only an answered or closed appeal can be reopened")
    return [ev.AppealReopened(**c.envelope(), reason=command.reason, by=command.by)]


@DECISIONS.handles(cmd.LeaveWithoutAnswer)
def _leave(command: cmd.LeaveWithoutAnswer, c: Context) -> list[ev.AppealEvent]:
    """A ПОС message, an incident or a call left without an answer on a ground of its own rules;
    an appeal goes through the decision of its part of 59-ФЗ ст. 11 (``decisions.article11``),
    which records the notice this command cannot."""
    if c.s.answer_published_at is not None:
        raise RuleViolated("the appeal already has an answer")
    if c.s.kind is Kind.APPEAL:
        part = ARTICLE11_PART_OF.get(command.ground)
        named = f"ст.11 ч.{part} 59-ФЗ" if part is not None else "ст.11 59-ФЗ"
        raise RuleViolated(
            f"{named}: an appeal is left without an answer by the decision of its part, with the"
            " citizen's notice, not by 'leave-without-answer'"
        )
    require_ground_of_kind(command.ground, c.s.kind)
    return [
        ev.AppealLeftWithoutAnswer(**c.envelope(), ground=command.ground, comment=command.comment),
        ev.AppealClosed(**c.envelope(), outcome=Outcome.LEFT_WITHOUT_ANSWER, comment=None),
    ]


@DECISIONS.handles(cmd.CloseAppeal)
def _close(command: cmd.CloseAppeal, c: Context) -> list[ev.AppealEvent]:
    if command.outcome is Outcome.ANSWERED:
        if c.s.status is not Status.ANSWER_DELIVERED:
            raise RuleViolated("an appeal can be closed as answered only after delivery")
    elif command.outcome is not Outcome.WITHDRAWN:
        raise InvalidCommand(
            f"the outcome '{command.outcome}' is recorded by its own command, not by 'close'"
        )
    return [ev.AppealClosed(**c.envelope(), outcome=command.outcome, comment=command.comment)]
