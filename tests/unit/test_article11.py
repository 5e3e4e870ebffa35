"""59-ФЗ ст. 11, part by part: each decision, the notice it owes, the notice's 7-day term from
registration across holidays, and what each part refuses (given-when-then over ``decide``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import msgspec
import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.appeal_state import AppealState
from domain.appeals.decisions.article11 import check_earlier_answered
from domain.appeals.state import fold
from domain.appeals.vocabulary import (
    Article11Part,
    Channel,
    Deadline,
    EscalationTarget,
    Kind,
    LegalGround,
    NoticeRecipient,
    Outcome,
)
from domain.shared.actors import Actor, Role
from domain.shared.errors import Forbidden, InvalidCommand, RuleViolated
from tests.support.appeals import OPERATOR, WATCHER, Scenario, receive

HEAD = Actor(id="head-1", role=Role.HEAD, name="Глава")
NOTICE = cmd.NoticeInput(channel=Channel.LETTER, template_id="st11-notice")
URL = "https://admin.example.ru/answers/42"


def local_end(day: date) -> datetime:
    """The end of ``day`` in Moscow (24:00 MSK = 21:00 UTC), where the terms expire."""
    return datetime(day.year, day.month, day.day, 21, 0, tzinfo=UTC)


def registered(on: date) -> Scenario:
    """A 59-ФЗ letter received and registered on ``on`` (10:00 MSK)."""
    start = datetime(on.year, on.month, on.day, 7, 0, tzinfo=UTC)
    return Scenario(start=start).given(
        receive(Kind.APPEAL, Channel.LETTER), cmd.RegisterAppeal(registration_number="О-1")
    )


@dataclass(frozen=True)
class Row:
    part: Article11Part
    command: cmd.Article11Decision
    registered_on: date
    notice_due: date | None  # the 7-day term, rolled off days off; None: the law sets none
    closes_at_once: bool = False
    actor: Actor = OPERATOR


ROWS = [
    # ч.1: no address, no notice: the appeal closes at once (30.12.2025, before the holidays)
    Row(Article11Part.PART_1, cmd.LeaveAnonymousUnanswered(), date(2025, 12, 30), None, True),
    # ч.2: 30.12.2025 + 7 = 06.01.2026, a New Year holiday → the first working day, 12.01.2026
    Row(
        Article11Part.PART_2,
        cmd.ReturnCourtComplaint(
            court_decision="Решение районного суда № 2-15/2025",
            appeal_explanation="Обжалуется в апелляционном порядке через суд, вынесший решение",
        ),
        date(2025, 12, 30),
        date(2026, 1, 12),
    ),
    Row(Article11Part.PART_3, cmd.LeaveAbusiveUnanswered(), date(2026, 2, 16), None),
    # ч.4: 16.02 + 7 = 23.02 (Defender of the Fatherland Day) → 24.02.2026
    Row(
        Article11Part.PART_4,
        cmd.LeaveUnreadableUnanswered(contact_readable=True),
        date(2026, 2, 16),
        date(2026, 2, 24),
    ),
    # ч.4.1: 02.03 + 7 = 09.03 (8 March moved off a Sunday) → 10.03.2026
    Row(
        Article11Part.PART_4_1,
        cmd.LeaveEssenceUnclearUnanswered(),
        date(2026, 3, 2),
        date(2026, 3, 10),
    ),
    Row(
        Article11Part.PART_5,
        cmd.EndCorrespondence(earlier_appeals=(uuid4(),)),
        date(2026, 5, 4),
        None,
        actor=HEAD,
    ),
    # ч.5.1: 05.06 + 7 = 12.06 (Russia Day, a Friday) → 15.06.2026
    Row(
        Article11Part.PART_5_1,
        cmd.ReferToPublishedAnswer(url=URL),
        date(2026, 6, 5),
        date(2026, 6, 15),
    ),
    # ч.6: 28.10.2026 (the week of 04.11): no term of its own
    Row(
        Article11Part.PART_6,
        cmd.DeclineSecretDisclosure(secret="государственная тайна"),
        date(2026, 10, 28),
        None,
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"ч.{r.part}")
def test_each_part_records_its_decision_and_the_notice_term_the_law_sets(row: Row) -> None:
    scenario = registered(row.registered_on)
    events = scenario.when(row.command, row.actor)
    decided = events[0]
    assert isinstance(decided, ev.AppealDecidedUnderArticle11)
    assert decided.part is row.part and decided.ground in LegalGround
    expected_due = local_end(row.notice_due) if row.notice_due else None
    assert decided.notice_due == expected_due
    if expected_due is not None:
        (term,) = decided.deadlines
        assert term.deadline is Deadline.NOTICE and term.due == expected_due
        assert term.provenance.rule.startswith(f"ст.11 ч.{row.part} 59-ФЗ")
        assert term.provenance.anchor.event == "AppealRegistered"
        assert term.provenance.anchor.version == 2
    else:
        assert decided.deadlines == ()
    scenario.events.extend(events)
    state = scenario.state
    assert state is not None
    if row.closes_at_once:
        assert isinstance(events[-1], ev.AppealClosed)
        assert state.outcome is Outcome.LEFT_WITHOUT_ANSWER and not state.notice_owed
        return
    # a notice is owed: the appeal stays open until it is given, and the notice closes it
    assert len(events) == 1 and not state.is_closed and state.notice_owed
    notice_events = scenario.when(cmd.GiveArticle11Notice(notice=NOTICE))
    notice, closed = notice_events
    assert isinstance(notice, ev.CitizenNoticeGiven) and isinstance(closed, ev.AppealClosed)
    assert notice.part is row.part and notice.due == expected_due
    assert (notice.channel, notice.template_id) == (Channel.LETTER, "st11-notice")
    assert notice.recipient is NoticeRecipient.CITIZEN and notice.subject
    assert notice.url == (URL if row.part is Article11Part.PART_5_1 else None)
    assert closed.outcome is Outcome.LEFT_WITHOUT_ANSWER
    scenario.events.extend(notice_events)
    final = scenario.state
    assert final is not None and final.is_closed and final.notice_given_at == notice.occurred_at


@pytest.mark.parametrize("row", ROWS[1:], ids=lambda r: f"ч.{r.part}")
def test_a_notice_given_with_the_decision_closes_the_appeal_at_once(row: Row) -> None:
    command = msgspec.structs.replace(row.command, notice=NOTICE)
    events = registered(row.registered_on).when(command, row.actor)
    assert [type(e) for e in events] == [
        ev.AppealDecidedUnderArticle11,
        ev.CitizenNoticeGiven,
        ev.AppealClosed,
    ]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"ч.{r.part}")
def test_registration_precedes_every_decision(row: Row) -> None:
    scenario = Scenario().given(receive(Kind.APPEAL, Channel.LETTER))
    with pytest.raises(RuleViolated, match="registered"):
        scenario.when(row.command, row.actor)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"ч.{r.part}")
def test_a_st11_decision_is_for_59_fz_appeals_not_pos_messages(row: Row) -> None:
    scenario = Scenario().given(receive(), cmd.RegisterAppeal(registration_number="ПОС-1"))
    with pytest.raises(RuleViolated, match=rf"ст\.11 ч\.{row.part} 59-ФЗ applies to appeals"):
        scenario.when(row.command, row.actor)


def test_the_notice_term_is_watched_breached_and_escalated_like_any_deadline() -> None:
    scenario = registered(date(2025, 12, 30)).given(
        cmd.LeaveEssenceUnclearUnanswered(), after=timedelta(days=1)
    )
    breach = cmd.RecordDeadlineBreach(
        deadline=Deadline.NOTICE, escalate_to=EscalationTarget.CURATOR
    )
    with pytest.raises(RuleViolated, match="has not passed yet"):
        scenario.when(breach, WATCHER, after=timedelta(days=12))  # 11.01.2026: still a holiday
    events = scenario.when(breach, WATCHER, after=timedelta(days=2))  # 13.01.2026
    assert isinstance(events[0], ev.DeadlineBreached)
    assert events[0].due == local_end(date(2026, 1, 12))
    assert isinstance(events[1], ev.AppealEscalated) and "ст.11" in events[1].reason
    scenario.events.extend(events)
    # a late notice is still given, and then there is nothing left to breach
    late = scenario.when(cmd.GiveArticle11Notice(notice=NOTICE))
    assert isinstance(late[0], ev.CitizenNoticeGiven) and late[0].due == events[0].due


def test_part_1_refuses_closing_a_reported_crime_without_forwarding_it() -> None:
    scenario = registered(date(2025, 12, 30))
    with pytest.raises(RuleViolated, match=r"ст\.11 ч\.1 59-ФЗ: an appeal reporting a crime"):
        scenario.when(cmd.LeaveAnonymousUnanswered(crime_reported=True))
    events = scenario.when(
        cmd.LeaveAnonymousUnanswered(
            crime_reported=True, crime_report_forwarded_to="ОМВД России по району"
        )
    )
    decided = events[0]
    assert isinstance(decided, ev.AppealDecidedUnderArticle11)
    assert decided.crime_report_forwarded_to == "ОМВД России по району"
    scenario.events.extend(events)
    state = scenario.state
    assert state is not None and state.forwarded_to == "ОМВД России по району" and state.is_closed


def test_part_4_owes_no_notice_when_the_name_and_address_cannot_be_read() -> None:
    scenario = registered(date(2026, 2, 16))
    unreadable = cmd.LeaveUnreadableUnanswered(contact_readable=False)
    events = scenario.when(unreadable)
    assert isinstance(events[0], ev.AppealDecidedUnderArticle11) and events[0].notice_due is None
    assert isinstance(events[-1], ev.AppealClosed)
    with pytest.raises(InvalidCommand, match="no notice"):
        scenario.when(msgspec.structs.replace(unreadable, notice=NOTICE))


def test_part_5_is_the_heads_decision() -> None:
    command = cmd.EndCorrespondence(earlier_appeals=(uuid4(),))
    for role in (Role.OPERATOR, Role.CURATOR):
        actor = Actor(id="x", role=role, name="x")
        with pytest.raises(Forbidden, match="may not end-correspondence"):
            registered(date(2026, 5, 4)).when(command, actor)
    scenario = registered(date(2026, 5, 4))
    with pytest.raises(InvalidCommand, match="cannot include this one"):
        scenario.when(cmd.EndCorrespondence(earlier_appeals=(scenario.appeal_id,)), HEAD)


def _earlier(answered: bool, received: datetime) -> AppealState:
    scenario = Scenario(start=received).given(
        receive(Kind.APPEAL, Channel.LETTER), cmd.RegisterAppeal(registration_number="О-0")
    )
    state = scenario.state
    assert state is not None
    if answered:
        state = msgspec.structs.replace(state, first_answered_at=received + timedelta(days=3))
    return state


def test_part_5_refers_to_earlier_appeals_that_exist_and_were_answered() -> None:
    now = registered(date(2026, 5, 4))
    current = now.state
    assert current is not None
    answered, unanswered = uuid4(), uuid4()
    known = {
        answered: _earlier(True, datetime(2026, 1, 20, 7, tzinfo=UTC)),
        unanswered: _earlier(False, datetime(2026, 2, 20, 7, tzinfo=UTC)),
    }
    check_earlier_answered(current, cmd.EndCorrespondence(earlier_appeals=(answered,)), known.get)
    for earlier, error in ((uuid4(), "no earlier appeal"), (unanswered, "not answered")):
        command = cmd.EndCorrespondence(earlier_appeals=(answered, earlier))
        with pytest.raises(RuleViolated, match=f"ст.11 ч.5 59-ФЗ: .*{error}"):
            check_earlier_answered(current, command, known.get)


def test_part_5_1_needs_the_pages_url_and_is_not_for_a_court_complaint() -> None:
    with pytest.raises(msgspec.ValidationError, match="url"):
        msgspec.convert({}, cmd.ReferToPublishedAnswer)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"url": "сайт администрации"}, cmd.ReferToPublishedAnswer)
    court = cmd.ReferToPublishedAnswer(url=URL, complains_about_court_decision=True)
    with pytest.raises(RuleViolated, match=r"ст\.11 ч\.5\.1 59-ФЗ does not apply"):
        registered(date(2026, 6, 5)).when(court)


def test_an_appeal_is_decided_once_and_a_notice_is_given_once() -> None:
    scenario = registered(date(2026, 3, 2)).given(cmd.LeaveAbusiveUnanswered())
    with pytest.raises(RuleViolated, match=r"already decided under ст\.11 ч\.3"):
        scenario.when(cmd.DeclineSecretDisclosure(secret="тайна"))
    with pytest.raises(RuleViolated, match="no notice"):
        registered(date(2026, 3, 2)).when(cmd.GiveArticle11Notice(notice=NOTICE))


def test_a_decided_appeal_folds_its_ground_for_old_readers() -> None:
    scenario = registered(date(2026, 6, 5)).given(cmd.ReferToPublishedAnswer(url=URL))
    state = fold(scenario.events)
    assert state is not None
    assert state.left_without_answer_ground is LegalGround.ANSWER_ALREADY_PUBLISHED
    assert state.article11_part is Article11Part.PART_5_1 and state.published_url == URL


def test_a_decision_settles_where_the_appeal_goes_so_no_forwarding_is_owed() -> None:
    scenario = registered(date(2026, 3, 2)).given(cmd.LeaveEssenceUnclearUnanswered())
    breach = cmd.RecordDeadlineBreach(deadline=Deadline.FORWARD)
    with pytest.raises(RuleViolated, match="'forward' deadline was met"):
        scenario.when(breach, WATCHER, after=timedelta(days=20))
