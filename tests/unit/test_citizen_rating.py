"""The citizen's own score (issue 17): given these events, when the citizen rates through the link,
then a SatisfactionRated by the citizen (or the rule that refuses it)."""

from __future__ import annotations

import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.citizen_commands import RateAnswerAsCitizen
from domain.appeals.decisions.citizen_rating import AnswerAlreadyRated, AnswerNotSent, EarlierAnswer
from domain.appeals.vocabulary import Outcome, ReopenedBy
from domain.shared.actors import Role, citizen_actor
from domain.shared.errors import Forbidden, RuleViolated
from tests.support.appeals import ASSIGN, CATEGORISE, DRAFT, REGISTER, Scenario, answered, receive


def rate(score: int = 5, version: int = 1) -> RateAnswerAsCitizen:
    return RateAnswerAsCitizen(score=score, comment="Спасибо", answer_version=version)


def test_the_citizen_rates_the_delivered_answer_as_the_citizen() -> None:
    scenario = answered()
    citizen = citizen_actor(scenario.appeal_id)
    [event] = scenario.when(rate(4), actor=citizen)
    assert isinstance(event, ev.SatisfactionRated)
    assert (event.score, event.by_citizen, event.actor.role) == (4, True, Role.CITIZEN)
    assert event.actor.id == f"citizen:{scenario.appeal_id}"
    scenario.events.append(event)
    state = scenario.state
    assert state is not None
    assert (state.citizen_score, state.preferred_score, state.citizen_rated_current_answer) == (
        4,
        4,
        True,
    )


def test_a_link_is_used_once() -> None:
    scenario = answered()
    citizen = citizen_actor(scenario.appeal_id)
    scenario.given(rate(5), actor=citizen)
    with pytest.raises(AnswerAlreadyRated):
        scenario.when(rate(1), actor=citizen)


def test_the_citizens_score_is_preferred_to_a_staff_typed_one_before_or_after_it() -> None:
    scenario = answered().given(cmd.RateSatisfaction(score=5))
    scenario.given(rate(2), actor=citizen_actor(scenario.appeal_id))
    state = scenario.state
    assert state is not None and state.preferred_score == 2 and state.satisfaction_score == 2
    with pytest.raises(RuleViolated, match="already rated"):  # staff type one score an answer
        scenario.when(cmd.RateSatisfaction(score=4))
    later = answered()
    later.given(rate(1), actor=citizen_actor(later.appeal_id)).given(cmd.RateSatisfaction(score=5))
    state = later.state
    assert state is not None
    assert (state.satisfaction_score, state.preferred_score, state.citizen_score) == (5, 1, 1)


def test_a_staff_typed_score_alone_is_the_preferred_one() -> None:
    scenario = answered().given(cmd.RateSatisfaction(score=3))
    state = scenario.state
    assert state is not None and (state.preferred_score, state.citizen_score) == (3, None)


def test_a_citizen_rates_only_their_own_appeal_and_only_rates() -> None:
    scenario = answered()
    stranger = citizen_actor(answered().appeal_id)
    with pytest.raises(Forbidden, match="their own appeal"):
        scenario.when(rate(), actor=stranger)
    with pytest.raises(Forbidden, match="citizen"):
        scenario.when(cmd.RateSatisfaction(score=5), actor=citizen_actor(scenario.appeal_id))
    with pytest.raises(Forbidden):
        scenario.when(
            cmd.ReopenAppeal(reason="нет", by=ReopenedBy.CITIZEN),
            actor=citizen_actor(scenario.appeal_id),
        )


def test_staff_cannot_rate_as_the_citizen() -> None:
    with pytest.raises(Forbidden, match="citizen"):
        answered().when(rate())


def test_the_link_of_an_earlier_answer_rates_nothing_after_a_reopening() -> None:
    scenario = answered().given(cmd.ReopenAppeal(reason="Не сделано", by=ReopenedBy.CITIZEN))
    citizen = citizen_actor(scenario.appeal_id)
    scenario.given(DRAFT, cmd.ApproveAnswer(), cmd.PublishAnswer())
    with pytest.raises(EarlierAnswer):
        scenario.when(rate(version=1), actor=citizen)
    [event] = scenario.when(rate(version=2), actor=citizen)
    assert isinstance(event, ev.SatisfactionRated) and event.by_citizen


def test_nothing_to_rate_before_the_answer_is_sent() -> None:
    scenario = Scenario().given(receive(), REGISTER, CATEGORISE, ASSIGN, DRAFT)
    with pytest.raises(AnswerNotSent):
        scenario.when(rate(), actor=citizen_actor(scenario.appeal_id))


def test_a_sent_answer_can_be_rated_before_its_delivery_is_confirmed_and_after_closing() -> None:
    published = Scenario().given(
        receive(), REGISTER, CATEGORISE, ASSIGN, DRAFT, cmd.ApproveAnswer(), cmd.PublishAnswer()
    )
    assert published.when(rate(), actor=citizen_actor(published.appeal_id))
    closed = answered().given(cmd.CloseAppeal(outcome=Outcome.ANSWERED))
    assert closed.when(rate(), actor=citizen_actor(closed.appeal_id))
