"""The МЦУ's session rules (seed 001 §1.2, §5.1–5.6), given events, when a command, then events
or the refusal that names the rule; each test names the seed clause it checks."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain.sessions import commands as cmd
from domain.sessions import events as ev
from domain.sessions.decide import AlreadyVoted, NoQuorum, NotAMember, NotASignatory, decide
from domain.sessions.events import ChairBasis, Choice, Composition
from domain.sessions.session import SessionState, evolve
from domain.shared.actors import Actor, Role
from domain.shared.errors import Forbidden, RuleViolated

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)
STAFF = Actor(id="staff", role=Role.OPERATOR, name="Сотрудник МЦУ")
SESSION = uuid.uuid4()
# seven members: the head, the deputy head, the secretary and four more (quorum: 4)
BODY = Composition(
    head="head", deputy_head="deputy", secretary="secretary", members=("m1", "m2", "m3", "m4")
)


def given(*commands: cmd.SessionCommand) -> SessionState | None:
    state: SessionState | None = None
    for command in commands:
        for event in when(state, command):
            state = evolve(state, event)
    return state


def when(
    state: SessionState | None, command: cmd.SessionCommand, actor: Actor = STAFF
) -> list[Any]:
    return decide(
        state,
        command,
        actor=actor,
        now=NOW,
        session_id=SESSION,
        composition_on=lambda day: BODY if day >= date(2025, 1, 1) else None,
        statute="ishim-2021",
    )


SCHEDULED = cmd.ScheduleSession(
    held_on=date(2025, 3, 12),
    agenda=(cmd.AgendaItemInput(title="Вывоз снега", proposal="Поручить управлению ЖКХ…"),),
)


def attending(*people: str, instructed: bool = False) -> cmd.RecordAttendance:
    return cmd.RecordAttendance(taking_part=people, head_instructs_deputy=instructed)


def vote(member: str, choice: Choice = Choice.FOR) -> cmd.CastVote:
    return cmd.CastVote(item=1, member=member, choice=choice)


def test_1_2_a_session_takes_the_composition_in_force_on_its_date() -> None:
    [scheduled] = when(None, SCHEDULED)
    assert isinstance(scheduled, ev.SessionScheduled)
    assert scheduled.composition == BODY
    with pytest.raises(RuleViolated, match=r"1\.2"):
        when(None, cmd.ScheduleSession(held_on=date(2024, 12, 1), agenda=SCHEDULED.agenda))


def test_5_3_quorum_met_by_more_than_half_of_the_members_allows_the_vote() -> None:
    state = given(SCHEDULED, attending("head", "m1", "m2", "m3"))  # 4 of 7
    [cast] = when(state, vote("m1"))
    assert isinstance(cast, ev.VoteCast) and cast.member == "m1"


def test_5_3_quorum_missed_by_one_member_refuses_the_vote() -> None:
    state = given(SCHEDULED, attending("head", "m1", "m2"))  # 3 of 7: one short
    with pytest.raises(NoQuorum, match=r"3 of 7 members take part.*\(4\).*§5\.3"):
        when(state, vote("m1"))


def test_5_3_quorum_missed_refuses_closing_the_vote() -> None:
    state = given(SCHEDULED, attending("head", "m1", "m2"))
    with pytest.raises(NoQuorum):
        when(state, cmd.CloseVoting(item=1))


def test_5_4_more_than_half_of_those_taking_part_voting_for_adopts() -> None:
    state = given(
        SCHEDULED,
        attending("head", "m1", "m2", "m3", "m4"),
        vote("head"),
        vote("m1"),
        vote("m2"),
        vote("m3", Choice.AGAINST),
    )
    [decided] = when(state, cmd.CloseVoting(item=1))
    assert isinstance(decided, ev.DecisionAdopted)
    assert (decided.votes_for, decided.votes_against, decided.taking_part) == (3, 1, 5)
    assert not decided.by_chairs_vote


def test_5_4_half_or_fewer_for_with_abstentions_rejects() -> None:
    state = given(
        SCHEDULED,
        attending("head", "m1", "m2", "m3", "m4"),
        vote("m1"),
        vote("m2"),
        vote("head", Choice.ABSTAIN),
        vote("m3", Choice.ABSTAIN),
    )
    [decided] = when(state, cmd.CloseVoting(item=1))
    assert isinstance(decided, ev.DecisionRejected) and decided.votes_for == 2


def test_5_5_a_tie_is_decided_by_the_chairs_vote_for() -> None:
    state = given(
        SCHEDULED,
        attending("head", "m1", "m2", "m3"),
        vote("head"),
        vote("m1"),
        vote("m2", Choice.AGAINST),
        vote("m3", Choice.AGAINST),
    )
    [decided] = when(state, cmd.CloseVoting(item=1))
    assert isinstance(decided, ev.DecisionAdopted) and decided.by_chairs_vote


def test_5_5_a_tie_is_decided_by_the_chairs_vote_against() -> None:
    state = given(
        SCHEDULED,
        attending("head", "m1", "m2", "m3"),
        vote("head", Choice.AGAINST),
        vote("m1"),
        vote("m2"),
        vote("m3", Choice.AGAINST),
    )
    [decided] = when(state, cmd.CloseVoting(item=1))
    assert isinstance(decided, ev.DecisionRejected) and decided.by_chairs_vote


def test_5_1_the_head_chairs_when_present() -> None:
    [recorded] = when(given(SCHEDULED), attending("head", "deputy", "m1", "m2"))
    assert (recorded.chair, recorded.chair_basis) == ("head", ChairBasis.HEAD)


def test_5_1_the_deputy_chairs_in_the_heads_absence() -> None:
    [recorded] = when(given(SCHEDULED), attending("deputy", "m1", "m2", "m3"))
    assert (recorded.chair, recorded.chair_basis) == ("deputy", ChairBasis.HEAD_ABSENT)


def test_5_1_the_deputy_chairs_on_the_heads_instruction() -> None:
    [recorded] = when(given(SCHEDULED), attending("head", "deputy", "m1", "m2", instructed=True))
    assert (recorded.chair, recorded.chair_basis) == ("deputy", ChairBasis.HEAD_INSTRUCTION)


def test_5_1_without_the_head_and_the_deputy_nobody_may_chair() -> None:
    with pytest.raises(RuleViolated, match=r"nobody may chair.*§5\.1"):
        when(given(SCHEDULED), attending("secretary", "m1", "m2", "m3"))


def test_5_5_a_tie_is_decided_by_the_deputy_chairing_in_the_heads_absence() -> None:
    state = given(
        SCHEDULED,
        attending("deputy", "m1", "m2", "m3"),
        vote("deputy"),
        vote("m1"),
        vote("m2", Choice.AGAINST),
        vote("m3", Choice.AGAINST),
    )
    [decided] = when(state, cmd.CloseVoting(item=1))
    assert isinstance(decided, ev.DecisionAdopted) and decided.by_chairs_vote


def test_5_5_a_non_members_vote_is_refused() -> None:
    state = given(SCHEDULED, attending("head", "m1", "m2", "m3"))
    with pytest.raises(NotAMember, match=r"§5\.5"):
        when(state, vote("stranger"))


def test_1_2_a_non_member_cannot_be_recorded_as_taking_part() -> None:
    with pytest.raises(NotAMember, match=r"1 of those listed"):
        when(given(SCHEDULED), attending("head", "m1", "m2", "stranger"))


def test_5_4_a_member_not_taking_part_cannot_vote() -> None:
    state = given(SCHEDULED, attending("head", "m1", "m2", "m3"))
    with pytest.raises(NotAMember, match=r"does not take part"):
        when(state, vote("m4"))


def test_5_5_a_second_vote_by_the_same_member_is_refused() -> None:
    state = given(SCHEDULED, attending("head", "m1", "m2", "m3"), vote("m1"))
    with pytest.raises(AlreadyVoted, match=r"one vote \(§5\.5\)"):
        when(state, vote("m1", Choice.AGAINST))


def _drafted(*attendance: str) -> SessionState | None:
    return given(
        SCHEDULED,
        attending(*attendance),
        vote("m1"),
        vote("m2"),
        vote("m3"),
        cmd.CloseVoting(item=1),
        cmd.DraftProtocol(number="1", text="Решили: …"),
    )


def test_5_6_the_protocol_is_signed_by_the_chair_and_the_secretary_in_two_acts() -> None:
    state = _drafted("head", "secretary", "m1", "m2", "m3")
    [by_chair] = when(state, cmd.SignProtocol(signer="head"))
    assert by_chair.capacity == "chair"
    state = evolve(state, by_chair)
    with pytest.raises(RuleViolated, match="published only once signed"):
        when(state, cmd.PublishProtocol(where="https://ishim.example/mcu"))
    [by_secretary] = when(state, cmd.SignProtocol(signer="secretary"))
    assert by_secretary.capacity == "secretary"
    state = evolve(state, by_secretary)
    [published] = when(state, cmd.PublishProtocol(where="https://ishim.example/mcu"))
    assert isinstance(published, ev.ProtocolPublished)


def test_5_6_a_protocol_signed_by_anyone_but_the_chair_and_the_secretary_is_refused() -> None:
    state = _drafted("head", "deputy", "secretary", "m1", "m2", "m3")
    for other in ("deputy", "m1", "stranger"):  # the deputy does not chair: the head does
        with pytest.raises(NotASignatory, match=r"§5\.6"):
            when(state, cmd.SignProtocol(signer=other))


def test_5_6_the_chair_signs_once() -> None:
    state = _drafted("head", "secretary", "m1", "m2", "m3")
    state = evolve(state, when(state, cmd.SignProtocol(signer="head"))[0])
    with pytest.raises(RuleViolated, match="already signed"):
        when(state, cmd.SignProtocol(signer="head"))


def test_5_6_the_protocol_waits_for_every_item_to_be_voted() -> None:
    state = given(SCHEDULED, attending("head", "m1", "m2", "m3"))
    with pytest.raises(RuleViolated, match="not voted on yet"):
        when(state, cmd.DraftProtocol(number="1", text="…"))


def test_auditors_may_not_act_on_a_session() -> None:
    auditor = Actor(id="a", role=Role.AUDITOR, name="Аудитор")
    with pytest.raises(Forbidden):
        when(None, SCHEDULED, actor=auditor)
