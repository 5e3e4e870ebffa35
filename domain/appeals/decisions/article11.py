"""59-ФЗ ст. 11: the decisions not to answer an appeal on the merits, one per part, each with the
notice it owes the citizen and, where the law sets one, the notice's 7-day term.

A decision that owes a notice leaves the appeal open until the notice is recorded, and the notice
closes it: the duty to the citizen is discharged only then, and an open appeal keeps its notice
term in the watcher's view (a closed one drops out of it). A decision that owes none (ч.1; ч.4
when the name and address cannot be read) closes the appeal at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

import msgspec

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.appeal_state import AppealState
from domain.appeals.decisions.context import Context, Decisions
from domain.appeals.decisions.grounds import PART_GROUNDS
from domain.appeals.vocabulary import Article11Part, Deadline, Kind, Outcome
from domain.shared.errors import InvalidCommand, RuleViolated
from domain.sla.policy import Anchor, ComputedDeadline, DeadlineRule, Unit, compute

DECISIONS = Decisions()

# The parts whose notice has a term of its own: 7 days from registration.
NOTICE_DAYS = 7
TERMED = frozenset(
    {Article11Part.PART_2, Article11Part.PART_4, Article11Part.PART_4_1, Article11Part.PART_5_1}
)
# What each notice tells the citizen, in the words of the law.
SUBJECTS = {
    Article11Part.PART_2: "возврат обращения с разъяснением порядка обжалования судебного решения",
    Article11Part.PART_3: "сообщение о недопустимости злоупотребления правом",
    Article11Part.PART_4: "сообщение о том, что текст обращения не поддаётся прочтению",
    Article11Part.PART_4_1: "сообщение о невозможности определить суть обращения",
    Article11Part.PART_5: "уведомление о безосновательности обращения и прекращении переписки",
    Article11Part.PART_5_1: "сообщение адреса страницы официального сайта с ответом на вопрос",
    Article11Part.PART_6: "сообщение о невозможности дать ответ по существу"
    " в связи с недопустимостью разглашения охраняемой законом тайны",
}


def law(part: Article11Part) -> str:
    return f"ст.11 ч.{part} 59-ФЗ"


def _require_decidable(part: Article11Part, c: Context) -> None:
    s = c.s
    if s.kind is not Kind.APPEAL:
        raise RuleViolated(
            f"{law(part)} applies to appeals; a {s.kind} is left without an answer on the grounds"
            " of its own rules ('leave-without-answer')"
        )
    if s.registered_at is None:
        raise RuleViolated(f"ст.8 ч.2 59-ФЗ: the appeal must be registered before {law(part)}")
    if s.article11_part is not None:
        raise RuleViolated(f"the appeal is already decided under {law(s.article11_part)}")
    if s.answer_published_at is not None:
        raise RuleViolated("the appeal already has an answer")
    if c.at < s.registered_at:
        raise InvalidCommand("a decision under ст.11 59-ФЗ cannot be dated before registration")


def notice_term(part: Article11Part, c: Context) -> ComputedDeadline:
    """The notice's term: 7 calendar days from registration (rolled off a day off), with the
    article in its provenance."""
    s = c.s
    assert s.registered_at is not None
    assert s.registered_version is not None
    rule = DeadlineRule(
        deadline=Deadline.NOTICE,
        kinds=frozenset({s.kind}),
        anchor="AppealRegistered",
        amount=NOTICE_DAYS,
        unit=Unit.CALENDAR_DAYS,
    )
    anchor = Anchor(event="AppealRegistered", version=s.registered_version, at=s.registered_at)
    computed = compute(
        rule,
        anchor,
        policy=c.policy.policy,
        calendar=c.policy.calendar,
        timezone=c.policy.timezone,
    )
    provenance = msgspec.structs.replace(
        computed.provenance, rule=f"{law(part)}: уведомление в течение {rule.describe()}"
    )
    return msgspec.structs.replace(computed, provenance=provenance)


class Details(msgspec.Struct, frozen=True, kw_only=True):
    """What a part requires recorded with its decision."""

    crime_report_forwarded_to: str | None = None
    court_decision: str | None = None
    appeal_explanation: str | None = None
    earlier_appeals: tuple[UUID, ...] = ()
    published_url: str | None = None
    secret: str | None = None


def _decided(
    command: cmd.Article11Decision,
    c: Context,
    *,
    notice: cmd.NoticeInput | None,
    notice_owed: bool = True,
    details: Details | None = None,
) -> list[ev.AppealEvent]:
    """The decision, then its notice and the closing when the notice is given or none is owed."""
    part = command.part
    _require_decidable(part, c)
    if notice is not None and not notice_owed:
        raise InvalidCommand(f"{law(part)}: no notice is given in this case")
    term = notice_term(part, c) if notice_owed and part in TERMED else None
    d = details or Details()
    events: list[ev.AppealEvent] = [
        ev.AppealDecidedUnderArticle11(
            **c.envelope(),
            part=part,
            ground=PART_GROUNDS[part],
            comment=command.comment,
            notice_owed=notice_owed,
            notice_due=term.due if term is not None else None,
            deadlines=(term,) if term is not None else (),
            crime_report_forwarded_to=d.crime_report_forwarded_to,
            court_decision=d.court_decision,
            appeal_explanation=d.appeal_explanation,
            earlier_appeals=d.earlier_appeals,
            published_url=d.published_url,
            secret=d.secret,
        )
    ]
    if notice is not None:
        events.append(_notice(part, notice, c, term.due if term else None, d.published_url))
    if notice is not None or not notice_owed:
        events.append(_closed(c, part))
    return events


def _notice(
    part: Article11Part,
    notice: cmd.NoticeInput,
    c: Context,
    due: datetime | None,
    url: str | None,
) -> ev.CitizenNoticeGiven:
    return ev.CitizenNoticeGiven(
        **c.envelope(),
        part=part,
        subject=SUBJECTS[part],
        recipient=notice.recipient,
        channel=notice.channel,
        template_id=notice.template_id,
        url=url,
        due=due,
    )


def _closed(c: Context, part: Article11Part) -> ev.AppealClosed:
    return ev.AppealClosed(**c.envelope(), outcome=Outcome.LEFT_WITHOUT_ANSWER, comment=law(part))


@DECISIONS.handles(cmd.LeaveAnonymousUnanswered)
def _part_1(command: cmd.LeaveAnonymousUnanswered, c: Context) -> list[ev.AppealEvent]:
    if command.crime_reported and command.crime_report_forwarded_to is None:
        raise RuleViolated(
            "ст.11 ч.1 59-ФЗ: an appeal reporting a crime being prepared or committed is forwarded"
            " to the competent state body; name it in 'crime_report_forwarded_to'"
        )
    if not command.crime_reported and command.crime_report_forwarded_to is not None:
        raise InvalidCommand("ст.11 ч.1 59-ФЗ: only a reported crime is forwarded")
    return _decided(
        command,
        c,
        notice=None,
        notice_owed=False,  # there is no address to tell
        details=Details(crime_report_forwarded_to=command.crime_report_forwarded_to),
    )


@DECISIONS.handles(cmd.ReturnCourtComplaint)
def _part_2(command: cmd.ReturnCourtComplaint, c: Context) -> list[ev.AppealEvent]:
    return _decided(
        command,
        c,
        notice=command.notice,
        details=Details(
            court_decision=command.court_decision, appeal_explanation=command.appeal_explanation
        ),
    )


@DECISIONS.handles(cmd.LeaveAbusiveUnanswered)
def _part_3(command: cmd.LeaveAbusiveUnanswered, c: Context) -> list[ev.AppealEvent]:
    return _decided(command, c, notice=command.notice)


@DECISIONS.handles(cmd.LeaveUnreadableUnanswered)
def _part_4(command: cmd.LeaveUnreadableUnanswered, c: Context) -> list[ev.AppealEvent]:
    return _decided(command, c, notice=command.notice, notice_owed=command.contact_readable)


@DECISIONS.handles(cmd.LeaveEssenceUnclearUnanswered)
def _part_4_1(command: cmd.LeaveEssenceUnclearUnanswered, c: Context) -> list[ev.AppealEvent]:
    return _decided(command, c, notice=command.notice)


@DECISIONS.handles(cmd.EndCorrespondence)
def _part_5(command: cmd.EndCorrespondence, c: Context) -> list[ev.AppealEvent]:
    if c.s.id in command.earlier_appeals:
        raise InvalidCommand("ст.11 ч.5 59-ФЗ: the earlier appeals cannot include this one")
    earlier = Details(earlier_appeals=tuple(command.earlier_appeals))
    return _decided(command, c, notice=command.notice, details=earlier)


@DECISIONS.handles(cmd.ReferToPublishedAnswer)
def _part_5_1(command: cmd.ReferToPublishedAnswer, c: Context) -> list[ev.AppealEvent]:
    if command.complains_about_court_decision:
        raise RuleViolated(
            "ст.11 ч.5.1 59-ФЗ does not apply to a complaint against a court decision;"
            " it is returned under ст.11 ч.2"
        )
    return _decided(command, c, notice=command.notice, details=Details(published_url=command.url))


@DECISIONS.handles(cmd.DeclineSecretDisclosure)
def _part_6(command: cmd.DeclineSecretDisclosure, c: Context) -> list[ev.AppealEvent]:
    return _decided(command, c, notice=command.notice, details=Details(secret=command.secret))


@DECISIONS.handles(cmd.GiveArticle11Notice)
def _give_notice(command: cmd.GiveArticle11Notice, c: Context) -> list[ev.AppealEvent]:
    s = c.s
    if s.article11_part is None or not s.notice_owed:
        raise RuleViolated("no notice under ст.11 59-ФЗ is owed on the appeal")
    assert s.registered_at is not None
    if c.at < s.registered_at:
        raise InvalidCommand("a notice under ст.11 59-ФЗ cannot be dated before registration")
    part = s.article11_part
    return [
        _notice(part, command.notice, c, s.notice_due, s.published_url),
        _closed(c, part),
    ]


def check_earlier_answered(
    state: AppealState,
    command: cmd.EndCorrespondence,
    load: Callable[[UUID], AppealState | None],
) -> None:
    """ст.11 ч.5: each earlier appeal the head refers to exists, came before this one, and was
    answered on the merits (the application checks it: ``decide`` sees one appeal)."""
    for earlier_id in command.earlier_appeals:
        earlier = load(earlier_id)
        if earlier is None:
            raise RuleViolated(f"ст.11 ч.5 59-ФЗ: there is no earlier appeal {earlier_id}")
        if earlier.received_at >= state.received_at:
            raise RuleViolated(f"ст.11 ч.5 59-ФЗ: the appeal {earlier_id} is not an earlier one")
        if earlier.first_answered_at is None:
            raise RuleViolated(
                f"ст.11 ч.5 59-ФЗ: the earlier appeal {earlier_id} was not answered on the merits"
            )
