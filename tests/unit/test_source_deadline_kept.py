"""A deadline the source of an imported history set and that governs
(``DeadlineSetBySource(governs=True)``) is the answer deadline in force, and no rule of ours
recomputes it: neither the re-timer after a policy correction nor a new topic. A source's
deadline that does not govern leaves ours to be re-timed as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.decisions.anchoring import retimed_for_topic
from domain.appeals.source_commands import RecordSourceDeadline
from domain.appeals.state import AppealState
from domain.appeals.vocabulary import Deadline
from domain.shared.errors import RuleViolated
from domain.sla.clock import SlaClock
from domain.sla.policy import FEDERAL, DeadlineRule
from projections.reactors.retimer import RETIMER, recomputed_deadlines
from tests.support.appeals import POLICY, Scenario, receive
from tests.unit.test_anchors_and_topics import HOUSING

START = datetime(2026, 2, 2, 7, 0, tzinfo=UTC)
SOURCE_DUE = datetime(2026, 2, 20, 20, 59, tzinfo=UTC)


def imported(*, governs: bool, policy: SlaClock = POLICY) -> Scenario:
    """A ПОС message received, registered, with the source's answer deadline recorded."""
    scenario = Scenario(start=START, policy=policy)
    return scenario.given(
        receive(),
        cmd.RegisterAppeal(registration_number="П-1"),
        RecordSourceDeadline(due=SOURCE_DUE, source="pos", governs=governs),
    )


def state_of(scenario: Scenario) -> AppealState:
    state = scenario.state
    assert state is not None
    return state


def corrected() -> SlaClock:
    """The policy corrected: every answer term five days longer (version 2)."""
    rules = tuple(
        msgspec.structs.replace(r, amount=r.amount + 5) if r.deadline is Deadline.ANSWER else r
        for r in FEDERAL.rules
    )
    policy = msgspec.structs.replace(FEDERAL, version=2, rules=rules)
    return msgspec.structs.replace(POLICY, policy=policy)


def answer_moves(scenario: Scenario) -> bool:
    computed = recomputed_deadlines(
        scenario.events, state_of(scenario), corrected(), may_shorten=False
    )
    return any(d.deadline is Deadline.ANSWER for d in computed)


@pytest.mark.parametrize("governs", [True, False])
def test_the_retimer_recomputes_no_answer_deadline_a_governing_source_set(governs: bool) -> None:
    scenario = imported(governs=governs)
    assert (state_of(scenario).answer_due == SOURCE_DUE + timedelta(microseconds=1)) is governs
    assert answer_moves(scenario) is not governs


@pytest.mark.parametrize("governs", [True, False])
def test_a_retime_command_leaves_a_governing_source_deadline_as_it_is(governs: bool) -> None:
    scenario = imported(governs=governs)
    registered = scenario.events[1]
    assert isinstance(registered, ev.AppealRegistered)
    ours = next(d for d in registered.deadlines if d.deadline is Deadline.ANSWER)
    later = msgspec.structs.replace(ours, due=SOURCE_DUE + timedelta(days=9))
    retime = cmd.RetimeDeadlines(deadlines=(later,), reason="Исправление политики")
    if governs:
        with pytest.raises(RuleViolated, match="no open deadline"):
            scenario.when(retime, actor=RETIMER)
    else:
        [retimed] = scenario.when(retime, actor=RETIMER)
        assert isinstance(retimed, ev.DeadlinesRetimed)


@pytest.mark.parametrize("governs", [True, False])
def test_a_new_topic_does_not_re_time_a_governing_source_deadline(governs: bool) -> None:
    housing: DeadlineRule = msgspec.structs.replace(HOUSING, anchor="AppealReceived")
    policy = msgspec.structs.replace(
        POLICY, policy=msgspec.structs.replace(FEDERAL, rules=(*FEDERAL.rules, housing))
    )
    state = state_of(imported(governs=governs, policy=policy))
    moved = retimed_for_topic(policy, state, "ЖКХ")
    assert any(d.deadline is Deadline.ANSWER for d in moved) is not governs
