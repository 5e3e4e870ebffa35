"""Where an appeal stands against its deadlines, read from its events."""

from __future__ import annotations

from datetime import timedelta

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.vocabulary import Channel, Deadline, ExtensionGround, Kind
from domain.sla.policy import Unit
from domain.sla.status import DeadlineStatus, DeadlineView, deadlines
from tests.support.appeals import (
    ASSIGN,
    CATEGORISE,
    DRAFT,
    HEAD,
    POLICY,
    REGISTER,
    Scenario,
    receive,
)


def statuses(scenario: Scenario, after: timedelta) -> dict[Deadline, DeadlineStatus]:
    views = deadlines(
        scenario.events,
        now=scenario.now + after,
        calendar=POLICY.calendar,
        timezone=POLICY.timezone,
    )
    return {v.deadline: v.status for v in views}


def registered_appeal() -> Scenario:
    return Scenario().given(receive(Kind.APPEAL, Channel.EMAIL), REGISTER, CATEGORISE, ASSIGN)


def test_an_open_deadline_is_on_track_then_at_risk_then_overdue() -> None:
    scenario = registered_appeal()
    assert statuses(scenario, timedelta(days=1))[Deadline.ANSWER] is DeadlineStatus.ON_TRACK
    assert statuses(scenario, timedelta(days=27))[Deadline.ANSWER] is DeadlineStatus.AT_RISK
    assert statuses(scenario, timedelta(days=40))[Deadline.ANSWER] is DeadlineStatus.OVERDUE
    assert statuses(scenario, timedelta(days=1))[Deadline.REGISTER] is DeadlineStatus.MET


def test_an_answer_sent_in_time_meets_it_and_a_late_one_misses_it() -> None:
    early = registered_appeal().given(DRAFT, cmd.ApproveAnswer(), cmd.PublishAnswer())
    assert statuses(early, timedelta(days=60))[Deadline.ANSWER] is DeadlineStatus.MET
    late = registered_appeal()
    late.now += timedelta(days=45)
    late.given(DRAFT, cmd.ApproveAnswer(), cmd.PublishAnswer())
    assert statuses(late, timedelta(0))[Deadline.ANSWER] is DeadlineStatus.MISSED


def test_time_left_is_counted_in_the_deadlines_own_unit() -> None:
    incident = Scenario().given(receive(Kind.INCIDENT, Channel.VK))
    views = {
        v.deadline: v
        for v in deadlines(
            incident.events,
            now=incident.now + timedelta(hours=1),
            calendar=POLICY.calendar,
            timezone=POLICY.timezone,
        )
    }
    reaction = views[Deadline.FIRST_REACTION]
    assert reaction.time_left is not None and reaction.time_left.unit is Unit.WORKING_HOURS
    assert 0 < reaction.time_left.amount <= 8
    assert reaction.provenance is not None and reaction.provenance.rule.startswith("8 рабочих")


def test_an_extension_is_in_the_deadlines_history() -> None:
    scenario = registered_appeal()
    scenario.given(
        cmd.ExtendDeadline(
            days=10,
            ground=ExtensionGround.EXCEPTIONAL_CASE,
            reason="Нужен выезд на место",
            citizen_notified_at=scenario.now,  # after the registration (ст.12 ч.2)
        ),
        actor=HEAD,
    )
    answer = next(
        v
        for v in deadlines(
            scenario.events, now=scenario.now, calendar=POLICY.calendar, timezone=POLICY.timezone
        )
        if v.deadline is Deadline.ANSWER
    )
    assert [c.event for c in answer.history] == ["AppealRegistered", "DeadlineExtended"]
    assert answer.due == answer.history[-1].due > answer.history[0].due
    assert answer.provenance is not None
    assert any(step.startswith("Продление на 10") for step in answer.provenance.steps)


def views_of(scenario: Scenario) -> dict[Deadline, DeadlineView]:
    return {
        v.deadline: v
        for v in deadlines(
            scenario.events, now=scenario.now, calendar=POLICY.calendar, timezone=POLICY.timezone
        )
    }


def test_a_letter_shows_no_first_reaction_of_its_own_registration() -> None:
    """A letter's receipt computes its registration term only: it is not shown twice, once as a
    first reaction (issue 14: the deadlines a receipt computes keep their own names)."""
    scenario = Scenario().given(receive(Kind.APPEAL, Channel.EMAIL))
    assert Deadline.FIRST_REACTION not in views_of(scenario)
    assert Deadline.REGISTER in views_of(scenario)


def test_the_notice_of_an_article_11_decision_is_an_appeals_deadline_until_given() -> None:
    scenario = Scenario().given(receive(Kind.APPEAL, Channel.EMAIL), REGISTER)
    scenario.given(cmd.LeaveEssenceUnclearUnanswered())  # ст.11 ч.4.1: told within 7 days
    notice = views_of(scenario)[Deadline.NOTICE]
    assert notice.status is DeadlineStatus.ON_TRACK
    assert notice.provenance is not None
    assert "ст.11 ч.4.1" in notice.provenance.rule
    scenario.given(
        cmd.GiveArticle11Notice(
            notice=cmd.NoticeInput(channel=Channel.LETTER, template_id="st11-notice")
        )
    )
    assert views_of(scenario)[Deadline.NOTICE].status is DeadlineStatus.MET


def test_a_request_for_information_is_an_appeals_deadline_until_answered() -> None:
    scenario = registered_appeal()
    request = cmd.RequestInformation(to_body="Роспотребнадзор", what="Акт проверки")
    (sent,) = scenario.given(request).events[-1:]
    assert isinstance(sent, ev.InformationRequested)
    reply = views_of(scenario)[Deadline.INFORMATION_REPLY]
    assert reply.status is DeadlineStatus.ON_TRACK
    scenario.given(cmd.RecordInformationReply(request_id=sent.request_id, summary="Акт получен"))
    assert views_of(scenario)[Deadline.INFORMATION_REPLY].status is DeadlineStatus.MET
