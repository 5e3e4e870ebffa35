"""ст.8 59-ФЗ, the parts after the ban of ч.6, with real dates across holidays: a complaint that can
go to no other body is returned with the right to go to court (ч.7); after forwarding, the body
asks the one it forwarded to for the results of its consideration (ч.5)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.vocabulary import Channel, Deadline, Kind, NoticeRecipient, Outcome
from domain.shared.errors import Forbidden, RuleViolated
from domain.sla.status import DeadlineStatus, deadlines
from tests.support.appeals import (
    ASSIGN,
    CURATOR,
    DRAFT,
    EXECUTOR,
    HEAD,
    POLICY,
    Scenario,
    receive,
)
from tests.support.dates import end_of, msk

AGAINST = "Управление ЖКХ"
NOTICE = cmd.NoticeInput(channel=Channel.LETTER, template_id="complaint-returned")


def registered(day: str) -> Scenario:
    """A letter received at 10:00 Moscow time on ``day`` and registered at 12:00."""
    scenario = Scenario(start=msk(day) - timedelta(minutes=5))
    scenario.given(receive(Kind.APPEAL, Channel.LETTER))
    return scenario.given(cmd.RegisterAppeal(registration_number="П-1"), after=timedelta(hours=2))


def return_complaint(against: str | None = AGAINST) -> cmd.ReturnComplaint:
    return cmd.ReturnComplaint(
        reason="Иного органа, компетентного рассмотреть жалобу, нет",
        court_explanation="Решение может быть обжаловано в суде в порядке КАС РФ",
        notice=NOTICE,
        complaint_against=against,
    )


def at(scenario: Scenario, when: datetime) -> timedelta:
    return when - scenario.now


# --- ст.8 ч.7: the complaint is returned, with the right to appeal in court; the appeal closes ---
@pytest.mark.parametrize(
    ("registered_on", "returned_at"),
    [
        ("29.12.2025", msk("05.01.2026", 11)),  # in the New Year holidays: the act is its date
        ("20.02.2026", msk("24.02.2026", 9)),  # after 23.02
        ("06.03.2026", msk("10.03.2026", 15)),  # after the 08–09.03 days off
    ],
)
def test_st8_ch7_a_complaint_that_can_go_nowhere_else_is_returned_and_the_appeal_closes(
    registered_on: str, returned_at: datetime
) -> None:
    scenario = registered(registered_on)
    events = scenario.when(return_complaint(), after=at(scenario, returned_at))
    assert [type(e) for e in events] == [ev.ComplaintReturned, ev.AppealClosed]
    returned, closed = events
    assert isinstance(returned, ev.ComplaintReturned) and isinstance(closed, ev.AppealClosed)
    assert returned.complaint_against == AGAINST
    assert returned.court_explanation.startswith("Решение может быть обжаловано в суде")
    notice = returned.notice
    assert (notice.at, notice.channel, notice.to) == (
        returned_at,
        Channel.LETTER,
        NoticeRecipient.CITIZEN,
    )
    assert notice.template_id == "complaint-returned" and "ст.8 ч.7 59-ФЗ" in notice.what
    assert "в суде" in notice.what
    assert closed.outcome is Outcome.RETURNED and closed.comment == "ст.8 ч.7 59-ФЗ"
    scenario.events.extend(events)
    state = scenario.state
    assert state is not None and state.is_closed and state.complaint_against == AGAINST


def test_st8_ch7_the_complaints_subject_may_be_named_by_an_earlier_act() -> None:
    scenario = registered("29.12.2025").given(
        cmd.SendCopies(
            to_bodies=("Прокуратура района",),
            reason="Часть вопросов в компетенции прокуратуры",
            citizen_notified_at=msk("29.12.2025", 13),
            complaint_against=AGAINST,
        ),
        after=timedelta(hours=2),
    )
    returned = scenario.when(return_complaint(None), after=at(scenario, msk("12.01.2026")))
    assert isinstance(returned[0], ev.ComplaintReturned)
    assert returned[0].complaint_against == AGAINST


@pytest.mark.parametrize(
    ("case", "error", "match"),
    [
        ("not a complaint", RuleViolated, r"ст\.8 ч\.7 59-ФЗ.*complaint_against"),
        ("not registered", RuleViolated, r"ст\.8 ч\.2 59-ФЗ.*registered before 'return-complaint'"),
        ("answered", RuleViolated, r"ст\.8 ч\.7 59-ФЗ.*answered complaint"),
        ("an executor", Forbidden, "may not return-complaint"),
    ],
)
def test_st8_ch7_only_a_registered_unanswered_complaint_is_returned_by_the_staff(
    case: str, error: type[Exception], match: str
) -> None:
    command, actor = return_complaint(), CURATOR
    if case == "not registered":
        scenario = Scenario(start=msk("29.12.2025")).given(receive(Kind.APPEAL, Channel.LETTER))
    else:
        scenario = registered("29.12.2025")
    if case == "not a complaint":
        command = return_complaint(None)
    if case == "answered":
        scenario.given(ASSIGN, DRAFT, cmd.ApproveAnswer(), cmd.PublishAnswer())
    if case == "an executor":
        actor = EXECUTOR
    with pytest.raises(error, match=match):
        scenario.when(command, actor)
    # the head, as every member of the staff, may return it
    if case == "an executor":
        assert scenario.when(command, HEAD)


# --- ст.8 ч.5: after forwarding, the results are asked of the body it was forwarded to ------------
TO = "ГЖИ области"


def forwarded(day: str) -> Scenario:
    return registered(day).given(
        cmd.ForwardAppeal(
            to_body=TO, reason="Вопрос в компетенции ГЖИ", citizen_notified_at=msk(day, 13)
        ),
        after=timedelta(hours=2),
    )


@pytest.mark.parametrize(
    ("forwarded_on", "asked_on", "reply_due", "replied_on"),
    [
        # 15 days from 29.12.2025 end on 13.01.2026, after the New Year holidays
        ("24.12.2025", "29.12.2025", "13.01.2026", "12.01.2026"),
        # 15 days from 08.02.2026 end on 23.02, a holiday → 24.02
        ("02.02.2026", "08.02.2026", "24.02.2026", "24.02.2026"),
    ],
)
def test_st8_ch5_the_forwarding_body_asks_for_the_results_and_records_the_reply(
    forwarded_on: str, asked_on: str, reply_due: str, replied_on: str
) -> None:
    scenario = forwarded(forwarded_on)
    assert scenario.state is not None and scenario.state.outcome is Outcome.FORWARDED
    ask = cmd.RequestInformation(to_body="  гжи ОБЛАСТИ ", what="Результаты рассмотрения")
    scenario.given(ask, after=at(scenario, msk(asked_on)))
    state = scenario.state
    assert state is not None and state.is_closed  # still closed: nothing more is owed by us
    (request,) = state.information_requests
    assert request.reply_due == end_of(reply_due)
    assert reply_status(scenario) == (None, DeadlineStatus.ON_TRACK)  # runs on a closed appeal
    reply = cmd.RecordInformationReply(request_id=request.id, summary="Предписание выдано")
    scenario.given(reply, after=at(scenario, msk(replied_on)))
    state = scenario.state
    assert state is not None and state.information_requests[0].replied_at == msk(replied_on)
    assert reply_status(scenario) == (msk(replied_on), DeadlineStatus.MET)


def reply_status(scenario: Scenario) -> tuple[datetime | None, DeadlineStatus]:
    """The request's term as ``GET /appeals/{id}/sla`` shows it: when met, and its status."""
    views = deadlines(
        scenario.events, now=scenario.now, calendar=POLICY.calendar, timezone=POLICY.timezone
    )
    view = next(v for v in views if v.deadline is Deadline.INFORMATION_REPLY)
    return view.met_at, view.status


def test_st8_ch5_only_the_body_forwarded_to_is_asked_and_nothing_else_is_done() -> None:
    scenario = forwarded("24.12.2025")
    with pytest.raises(RuleViolated, match=r"ст\.8 ч\.5 59-ФЗ.*forwarded to 'ГЖИ области'"):
        scenario.when(cmd.RequestInformation(to_body="Роспотребнадзор", what="Результаты"))
    with pytest.raises(RuleViolated, match="only 'reopen' is possible"):
        scenario.when(return_complaint())
    # an appeal closed otherwise (here: the complaint returned) asks nobody
    returned = registered("24.12.2025")
    returned.given(return_complaint())
    with pytest.raises(RuleViolated, match="only 'reopen' is possible"):
        returned.when(cmd.RequestInformation(to_body=TO, what="Результаты"))
