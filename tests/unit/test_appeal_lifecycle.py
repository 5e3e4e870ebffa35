"""Given these events, when this command, then these events (or this error)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.vocabulary import (
    Channel,
    Deadline,
    EscalationTarget,
    ExtensionGround,
    Kind,
    LegalGround,
    Outcome,
    ReopenedBy,
    ReworkReason,
    Status,
)
from domain.shared.errors import Forbidden, InvalidCommand, RuleViolated
from tests.support.appeals import (
    ASSIGN,
    AUDITOR,
    CATEGORISE,
    CURATOR,
    DRAFT,
    EXECUTOR,
    HEAD,
    NOW,
    OPERATOR,
    OTHER_EXECUTOR,
    POLICY,
    REGISTER,
    WATCHER,
    Scenario,
    answered,
    receive,
)


def assigned(kind: Kind = Kind.MESSAGE, channel: Channel = Channel.POS) -> Scenario:
    return Scenario().given(receive(kind, channel), REGISTER, CATEGORISE, ASSIGN)


def only(events: list[ev.AppealEvent]) -> ev.AppealEvent:
    assert len(events) == 1
    return events[0]


# --- receive ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "channel"),
    [
        (Kind.APPEAL, Channel.LETTER),
        (Kind.APPEAL, Channel.GOSUSLUGI),
        (Kind.MESSAGE, Channel.POS),
        (Kind.INCIDENT, Channel.TELEGRAM),
        (Kind.CALL, Channel.PHONE),
    ],
)
def test_every_kind_is_received_on_its_channels(kind: Kind, channel: Channel) -> None:
    event = only(Scenario().when(receive(kind, channel)))
    assert isinstance(event, ev.AppealReceived)
    assert (event.kind, event.channel, event.originator_version) == (kind, channel, 1)
    assert event.actor == OPERATOR and event.occurred_at == event.timestamp
    assert event.register_due > event.occurred_at


def test_a_kind_cannot_come_through_another_kinds_channel() -> None:
    with pytest.raises(InvalidCommand, match="cannot come through the channel 'vk'"):
        Scenario().when(receive(Kind.MESSAGE, Channel.VK))


def test_an_incident_needs_the_url_of_the_post() -> None:
    with pytest.raises(InvalidCommand, match="external_id"):
        Scenario().when(receive(Kind.INCIDENT, Channel.VK, external_id=None))


def test_the_citizens_contact_stays_in_the_received_event_not_in_the_state() -> None:
    scenario = Scenario().given(receive())
    received = scenario.events[0]
    assert isinstance(received, ev.AppealReceived) and received.citizen is not None
    state = scenario.state
    assert state is not None and state.has_citizen_contact
    assert "Петров" not in repr(state)


def test_business_time_cannot_be_in_the_future() -> None:
    with pytest.raises(InvalidCommand, match="future"):
        Scenario().when(receive(occurred_at=NOW + timedelta(days=1)))


def test_business_time_must_carry_a_time_zone() -> None:
    with pytest.raises(InvalidCommand, match="time zone"):
        Scenario().when(receive(occurred_at=datetime(2026, 3, 1, 12, 0)))


def test_a_letter_received_yesterday_keeps_its_business_time() -> None:
    yesterday = NOW - timedelta(days=1)
    event = only(Scenario().when(receive(Kind.APPEAL, Channel.LETTER, occurred_at=yesterday)))
    assert event.occurred_at == yesterday and event.timestamp > yesterday


# --- register, categorise, assign ----------------------------------------------------------------
def test_registration_computes_the_answer_deadline_with_its_policy() -> None:
    scenario = Scenario().given(receive(Kind.APPEAL, Channel.EMAIL))
    event = only(scenario.when(REGISTER))
    assert isinstance(event, ev.AppealRegistered)
    assert event.deadline_policy == "federal/1"
    # 30 calendar days from the day after registration (2 March → 1 April), end of day in Moscow.
    assert event.answer_due == datetime(2026, 4, 1, 21, 0, tzinfo=UTC)
    # 7 days → 9 March 2026, a day off (8 March fell on a Sunday) → Tuesday 10 March.
    assert event.forward_due == datetime(2026, 3, 10, 21, 0, tzinfo=UTC)
    answer, forward = event.deadlines
    assert (answer.deadline, forward.deadline) == (Deadline.ANSWER, Deadline.FORWARD)
    assert answer.due == event.answer_due and forward.due == event.forward_due
    p = forward.provenance
    assert (p.policy_id, p.calendar_id, p.anchor.event, p.anchor.version) == (
        "federal",
        "RU",
        "AppealRegistered",
        2,
    )
    assert any("09.03.2026 — нерабочий день" in step for step in p.steps)


def test_an_appeal_is_registered_only_once() -> None:
    scenario = Scenario().given(receive(), REGISTER)
    with pytest.raises(RuleViolated, match="already registered"):
        scenario.when(REGISTER)


def test_nothing_but_registration_comes_before_registration() -> None:
    with pytest.raises(RuleViolated, match="must be registered before 'assign'"):
        Scenario().given(receive()).when(ASSIGN)


def test_categorising_records_the_structured_essence() -> None:
    event = only(Scenario().given(receive(), REGISTER).when(CATEGORISE))
    assert isinstance(event, ev.AppealCategorised) and event.topic == "Благоустройство"


def test_assignment_moves_the_appeal_to_the_department() -> None:
    scenario = Scenario().given(receive(), REGISTER).given(ASSIGN)
    state = scenario.state
    assert state is not None
    assert (state.status, state.department) == (Status.ASSIGNED, "ugkh")


def test_assigning_to_the_same_department_and_executor_again_is_refused() -> None:
    with pytest.raises(RuleViolated, match="already assigned"):
        assigned().when(ASSIGN)


# --- forward ---------------------------------------------------------------------------------------
def test_forwarding_notifies_the_citizen_and_closes_the_appeal() -> None:
    scenario = Scenario().given(receive(Kind.APPEAL, Channel.LETTER), REGISTER)
    events = scenario.when(
        cmd.ForwardAppeal(
            to_body="ГЖИ области", reason="Не наша компетенция", citizen_notified_at=scenario.now
        )
    )
    assert [type(e) for e in events] == [ev.AppealForwarded, ev.AppealClosed]
    closed = events[1]
    assert isinstance(closed, ev.AppealClosed) and closed.outcome is Outcome.FORWARDED
    assert [e.originator_version for e in events] == [3, 4]


# --- deadlines: extension, pause, breach ---------------------------------------------------------
def extend(days: int) -> cmd.ExtendDeadline:
    return cmd.ExtendDeadline(
        days=days,
        ground=ExtensionGround.EXCEPTIONAL_CASE,
        reason="Нужен выезд комиссии",
        citizen_notified_at=NOW + timedelta(minutes=20),  # after the registration (ст.12 ч.2)
    )


def test_an_extension_moves_the_answer_deadline_later() -> None:
    scenario = assigned(Kind.APPEAL, Channel.EMAIL)
    before = scenario.state
    event = only(scenario.when(extend(10), HEAD))
    assert isinstance(event, ev.DeadlineExtended) and before is not None
    assert event.previous_due == before.answer_due
    assert event.new_due > event.previous_due


def test_extensions_cannot_exceed_the_legal_cap_in_all() -> None:
    # an incident: a 59-ФЗ appeal is extended once only (ст.12 ч.2), so its cap is one step
    scenario = assigned(Kind.INCIDENT, Channel.VK).given(extend(20), actor=HEAD)
    with pytest.raises(RuleViolated, match=f"legal cap of {POLICY.max_extension_days} days"):
        scenario.when(extend(11), HEAD)


def test_a_pos_message_is_extended_only_once() -> None:
    scenario = assigned().given(extend(5), actor=HEAD)
    with pytest.raises(RuleViolated, match="only once"):
        scenario.when(extend(5), HEAD)


def test_an_extension_of_zero_days_is_refused_by_the_command() -> None:
    import msgspec

    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(
            {"days": 0, "reason": "x", "approver": "y", "citizen_notified_at": NOW.isoformat()},
            cmd.ExtendDeadline,
        )


def test_a_pause_moves_the_deadline_by_the_paused_time() -> None:
    scenario = assigned().given(cmd.PauseAppeal(reason="Ждём уточнения адреса"))
    due_before = scenario.state.answer_due if scenario.state else None
    event = only(scenario.when(cmd.ResumeAppeal(), after=timedelta(days=2)))
    assert isinstance(event, ev.AppealResumed) and due_before is not None
    # moved by the paused time at least (further when that lands on a day off)
    assert event.answer_due - due_before >= timedelta(seconds=event.paused_seconds)
    assert event.deadlines[0].due == event.answer_due
    assert event.paused_seconds >= 2 * 24 * 3600


def test_a_59_fz_appeal_cannot_be_paused() -> None:
    with pytest.raises(RuleViolated, match="cannot be paused"):
        assigned(Kind.APPEAL, Channel.EMAIL).when(cmd.PauseAppeal(reason="x"))


def test_resume_needs_a_pause() -> None:
    with pytest.raises(RuleViolated, match="not paused"):
        assigned().when(cmd.ResumeAppeal())


def test_a_breach_is_recorded_once_the_deadline_passed_unmet() -> None:
    scenario = assigned()
    due = scenario.state.answer_due if scenario.state else None
    assert due is not None
    with pytest.raises(RuleViolated, match="has not passed yet"):
        scenario.when(cmd.RecordDeadlineBreach(deadline=Deadline.ANSWER), WATCHER)
    late = due - scenario.now + timedelta(minutes=1)
    event = only(scenario.when(cmd.RecordDeadlineBreach(deadline=Deadline.ANSWER), WATCHER, late))
    assert isinstance(event, ev.DeadlineBreached) and event.due == due
    scenario.events.append(event)
    with pytest.raises(RuleViolated, match="already recorded"):
        scenario.when(cmd.RecordDeadlineBreach(deadline=Deadline.ANSWER), WATCHER)


def test_a_met_deadline_cannot_be_breached() -> None:
    with pytest.raises(RuleViolated, match="was met"):
        assigned().when(cmd.RecordDeadlineBreach(deadline=Deadline.REGISTER), WATCHER)


def test_the_watcher_escalates_automatically() -> None:
    event = only(
        assigned().when(cmd.EscalateAppeal(to=EscalationTarget.SECTOR_HEAD, reason="Срок"), WATCHER)
    )
    assert isinstance(event, ev.AppealEscalated) and event.automatic


# --- answers -------------------------------------------------------------------------------------
def test_no_answer_before_assignment() -> None:
    scenario = Scenario().given(receive(), REGISTER, CATEGORISE)
    with pytest.raises(RuleViolated, match="cannot be given before the appeal is assigned"):
        scenario.when(DRAFT)
    with pytest.raises(RuleViolated, match="cannot be given before the appeal is assigned"):
        scenario.when(cmd.GiveInterimAnswer(text="Принято"))


def test_an_interim_answer_is_the_first_reaction_to_an_incident() -> None:
    scenario = assigned(Kind.INCIDENT, Channel.VK).given(cmd.GiveInterimAnswer(text="Выехали"))
    state = scenario.state
    assert state is not None and state.first_reaction_at is not None
    assert state.first_reaction_due is not None


def test_only_a_drafted_answer_is_approved_or_returned() -> None:
    scenario = assigned()
    with pytest.raises(RuleViolated, match="only a drafted answer can be approved"):
        scenario.when(cmd.ApproveAnswer(), CURATOR)
    with pytest.raises(RuleViolated, match="returned for rework"):
        scenario.when(cmd.ReturnAnswerForRework(reason=ReworkReason.FORMAL_REPLY, comment="x"))


def test_a_returned_answer_is_drafted_again_and_counted() -> None:
    scenario = (
        assigned()
        .given(DRAFT)
        .given(
            cmd.ReturnAnswerForRework(reason=ReworkReason.NO_FIX_DATE, comment="Нет срока"),
            actor=CURATOR,
        )
    )
    state = scenario.state
    assert state is not None and state.status is Status.ASSIGNED and state.rework_count == 1
    event = only(scenario.when(DRAFT))
    assert isinstance(event, ev.AnswerDrafted)


def test_an_answer_is_sent_only_after_approval() -> None:
    with pytest.raises(RuleViolated, match="only after the control centre approved it"):
        assigned().given(DRAFT).when(cmd.PublishAnswer())


def test_publication_and_delivery_are_two_facts() -> None:
    scenario = assigned().given(DRAFT, cmd.ApproveAnswer())
    published = only(scenario.when(cmd.PublishAnswer()))
    assert isinstance(published, ev.AnswerPublished) and published.channel is Channel.POS
    with pytest.raises(RuleViolated, match="only for a sent answer"):
        scenario.when(cmd.ConfirmAnswerDelivery())
    scenario.events.append(published)
    delivered = only(scenario.when(cmd.ConfirmAnswerDelivery(delivery_reference="D-1")))
    assert isinstance(delivered, ev.AnswerDelivered)


def test_a_paused_appeal_sends_no_answer() -> None:
    scenario = assigned().given(DRAFT, cmd.ApproveAnswer(), cmd.PauseAppeal(reason="x"))
    with pytest.raises(RuleViolated, match="paused"):
        scenario.when(cmd.PublishAnswer())


def test_a_fix_date_in_the_past_is_refused() -> None:
    with pytest.raises(InvalidCommand, match="in the past"):
        assigned().when(cmd.DraftAnswer(text="x", fix_date=(NOW - timedelta(days=3)).date()))


def test_fast_track_is_recorded_once_before_the_answer() -> None:
    scenario = assigned().given(cmd.FastTrackAppeal(resolution="Устранено на месте"))
    with pytest.raises(RuleViolated, match="already fast-tracked"):
        scenario.when(cmd.FastTrackAppeal(resolution="ещё раз"))


# --- satisfaction, reopen, close -----------------------------------------------------------------
def test_a_score_only_after_the_answer_was_delivered() -> None:
    with pytest.raises(RuleViolated, match="only after the answer was delivered"):
        assigned().given(DRAFT, cmd.ApproveAnswer(), cmd.PublishAnswer()).when(
            cmd.RateSatisfaction(score=5)
        )
    event = only(answered().when(cmd.RateSatisfaction(score=4, comment="Спасибо")))
    assert isinstance(event, ev.SatisfactionRated) and event.score == 4


def test_an_answer_is_rated_once() -> None:
    with pytest.raises(RuleViolated, match="already rated"):
        answered().given(cmd.RateSatisfaction(score=2)).when(cmd.RateSatisfaction(score=3))


def test_closing_as_answered_needs_delivery() -> None:
    with pytest.raises(RuleViolated, match="only after delivery"):
        assigned().when(cmd.CloseAppeal(outcome=Outcome.ANSWERED))
    event = only(answered().when(cmd.CloseAppeal(outcome=Outcome.ANSWERED)))
    assert isinstance(event, ev.AppealClosed)


def test_outcomes_with_their_own_command_are_not_closed_directly() -> None:
    with pytest.raises(InvalidCommand, match="its own command"):
        assigned().when(cmd.CloseAppeal(outcome=Outcome.DUPLICATE))


def test_no_action_on_a_closed_appeal_except_reopen() -> None:
    closed = answered().given(cmd.CloseAppeal(outcome=Outcome.ANSWERED))
    with pytest.raises(RuleViolated, match="only 'reopen' is possible"):
        closed.when(DRAFT)
    with pytest.raises(RuleViolated, match="only 'reopen' is possible"):
        closed.when(cmd.RateSatisfaction(score=5))
    event = only(closed.when(cmd.ReopenAppeal(reason="Не устранено", by=ReopenedBy.CITIZEN)))
    assert isinstance(event, ev.AppealReopened)


def test_a_reopened_appeal_goes_back_to_its_department_and_counts() -> None:
    scenario = answered().given(
        cmd.CloseAppeal(outcome=Outcome.ANSWERED),
        cmd.ReopenAppeal(reason="Не устранено", by=ReopenedBy.CONTROL_CENTRE),
    )
    state = scenario.state
    assert state is not None
    assert (state.status, state.reopen_count, state.answer_text) == (Status.ASSIGNED, 1, None)
    assert only(scenario.when(DRAFT))


def test_only_an_answered_appeal_is_reopened() -> None:
    with pytest.raises(RuleViolated, match="only an answered or closed appeal"):
        assigned().when(cmd.ReopenAppeal(reason="x", by=ReopenedBy.CITIZEN))


def test_withdrawal_closes_at_any_stage() -> None:
    event = only(assigned().when(cmd.CloseAppeal(outcome=Outcome.WITHDRAWN)))
    assert isinstance(event, ev.AppealClosed) and event.outcome is Outcome.WITHDRAWN


# --- duplicates, repeats, leaving without answer -------------------------------------------------
def test_a_duplicate_is_marked_and_closed() -> None:
    other = uuid4()
    events = assigned().when(cmd.MarkDuplicate(duplicate_of=other))
    assert [type(e) for e in events] == [ev.AppealMarkedDuplicate, ev.AppealClosed]


def test_an_appeal_is_not_its_own_duplicate_or_repeat() -> None:
    scenario = assigned()
    with pytest.raises(InvalidCommand, match="itself"):
        scenario.when(cmd.MarkDuplicate(duplicate_of=scenario.appeal_id))
    with pytest.raises(InvalidCommand, match="itself"):
        scenario.when(cmd.LinkAsRepeat(repeat_of=scenario.appeal_id))


def test_a_repeat_is_linked_once_and_stays_open() -> None:
    scenario = assigned().given(cmd.LinkAsRepeat(repeat_of=uuid4()))
    state = scenario.state
    assert state is not None and state.repeat_of is not None and not state.is_closed
    with pytest.raises(RuleViolated, match="already linked"):
        scenario.when(cmd.LinkAsRepeat(repeat_of=uuid4()))


def test_leaving_without_answer_names_the_legal_ground_and_closes() -> None:
    events = (
        Scenario()
        .given(receive(), REGISTER)
        .when(cmd.LeaveWithoutAnswer(ground=LegalGround.OBSCENITY_OR_THREATS))
    )
    assert isinstance(events[0], ev.AppealLeftWithoutAnswer)
    assert events[0].ground is LegalGround.OBSCENITY_OR_THREATS
    assert isinstance(events[1], ev.AppealClosed)


def test_an_answered_appeal_is_not_left_without_answer() -> None:
    with pytest.raises(RuleViolated, match="already has an answer"):
        answered().when(cmd.LeaveWithoutAnswer(ground=LegalGround.UNREADABLE))


# --- roles -------------------------------------------------------------------------------------
def test_an_auditor_changes_nothing() -> None:
    with pytest.raises(Forbidden, match="role 'auditor' may not register"):
        Scenario().given(receive()).when(REGISTER, AUDITOR)


def test_an_executor_answers_only_for_their_department() -> None:
    scenario = assigned()
    assert only(scenario.when(DRAFT, EXECUTOR))
    with pytest.raises(Forbidden, match="their department"):
        scenario.when(DRAFT, OTHER_EXECUTOR)


def test_an_executor_does_not_approve_answers() -> None:
    with pytest.raises(Forbidden, match="may not approve-answer"):
        assigned().given(DRAFT).when(cmd.ApproveAnswer(), EXECUTOR)


def test_every_event_names_its_actor_and_business_time() -> None:
    scenario = answered().given(
        cmd.RateSatisfaction(score=5), cmd.CloseAppeal(outcome=Outcome.ANSWERED)
    )
    versions = [e.originator_version for e in scenario.events]
    assert versions == list(range(1, len(versions) + 1))
    assert all(e.actor.id and e.occurred_at.tzinfo is not None for e in scenario.events)
