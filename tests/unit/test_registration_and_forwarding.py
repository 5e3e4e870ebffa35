"""ст.8 59-ФЗ, part by part, with real dates across holidays: registration is mandatory (ч.2),
forwarding (ч.3), copies to several bodies meeting the forward deadline (ч.4), no complaint to the
body complained of (ч.6)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.vocabulary import Channel, Deadline, Kind, LegalGround, Outcome
from domain.shared.errors import InvalidCommand, RuleViolated
from domain.sla.status import DeadlineStatus, deadlines
from projections.appeals import _COLUMNS as APPEALS_COLUMNS
from projections.appeals import _row as appeals_row
from projections.sla import rows_of as sla_rows
from tests.support.appeals import ASSIGN, CATEGORISE, DRAFT, POLICY, WATCHER, Scenario, receive
from tests.support.dates import end_of, msk


def letter(received: str) -> Scenario:
    """A letter (59-ФЗ) received at 10:00 Moscow time that day (the clock starts 5 min later)."""
    return Scenario(start=msk(received) - timedelta(minutes=5)).given(
        receive(Kind.APPEAL, Channel.LETTER)
    )


def registered(received: str, registered_on: str | None = None) -> Scenario:
    scenario = letter(received)
    at = msk(registered_on or received, 12)
    return scenario.given(cmd.RegisterAppeal(registration_number="П-1"), after=at - scenario.now)


def forward(notified: datetime, to: str = "ГЖИ области", against: str | None = None) -> cmd.Command:
    return cmd.ForwardAppeal(
        to_body=to,
        reason="Вопрос не в нашей компетенции",
        citizen_notified_at=notified,
        complaint_against=against,
    )


def copies(notified: datetime, *to: str, against: str | None = None) -> cmd.SendCopies:
    return cmd.SendCopies(
        to_bodies=to or ("Роспотребнадзор", "ГЖИ области"),
        reason="Часть вопросов в компетенции других органов",
        citizen_notified_at=notified,
        complaint_against=against,
    )


# --- ст.8 ч.2: registration within 3 days of receipt, and before anything counted from it ------
@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("29.12.2025", "12.01.2026"),  # 01.01 falls in the New Year holidays (to 11.01)
        ("20.02.2026", "24.02.2026"),  # 23.02 Defender of the Fatherland Day
        ("06.03.2026", "10.03.2026"),  # 09.03 the day off for 08.03
        ("28.04.2026", "04.05.2026"),  # 01.05 Labour Day, then the weekend
        ("01.11.2026", "05.11.2026"),  # 04.11 Unity Day
    ],
)
def test_st8_ch2_registration_is_due_three_days_after_receipt(received: str, due: str) -> None:
    state = letter(received).state
    assert state is not None and state.register_due == end_of(due)


@pytest.mark.parametrize(
    "command",
    [
        cmd.CloseAppeal(outcome=Outcome.WITHDRAWN),
        cmd.LeaveWithoutAnswer(ground=LegalGround.OBSCENITY_OR_THREATS),
        forward(msk("29.12.2025", 11)),
        copies(msk("29.12.2025", 11)),
        ASSIGN,
        DRAFT,
        cmd.MarkDuplicate(duplicate_of=Scenario().appeal_id),
    ],
    ids=lambda c: c.action,
)
def test_st8_ch2_nothing_counted_from_registration_comes_before_it(command: cmd.Command) -> None:
    with pytest.raises(RuleViolated, match=r"ст\.8 ч\.2 59-ФЗ.*must be registered before"):
        letter("29.12.2025").when(command, after=timedelta(hours=2))


def test_st8_ch2_categorisation_and_the_watcher_come_before_registration() -> None:
    scenario = letter("29.12.2025").given(CATEGORISE)
    assert scenario.state is not None and scenario.state.topic == "Благоустройство"
    late = end_of("12.01.2026") - scenario.now + timedelta(minutes=1)
    breach = scenario.when(cmd.RecordDeadlineBreach(deadline=Deadline.REGISTER), WATCHER, late)
    assert [type(e) for e in breach] == [ev.DeadlineBreached]


def test_defect_4_an_unregistered_letter_is_no_longer_closed_and_its_deadline_stays_watched() -> (
    None
):
    """Issue 14, defect 4: a letter could be closed as withdrawn or left without an answer with
    no registration, and its registration deadline dropped out of the watcher's view."""
    scenario = letter("29.12.2025")
    for command in (
        cmd.CloseAppeal(outcome=Outcome.WITHDRAWN),
        cmd.LeaveWithoutAnswer(ground=LegalGround.UNREADABLE),
    ):
        with pytest.raises(RuleViolated, match=r"ст\.8 ч\.2 59-ФЗ"):
            scenario.when(command)
    state = scenario.state
    assert state is not None and not state.is_closed and state.registered_at is None
    # the watcher still records the breach of the registration deadline once it passes
    late = state.register_due - scenario.now + timedelta(seconds=1)
    breach = scenario.when(cmd.RecordDeadlineBreach(deadline=Deadline.REGISTER), WATCHER, late)
    assert isinstance(breach[0], ev.DeadlineBreached) and breach[0].due == end_of("12.01.2026")
    # once registered, withdrawal closes it as before
    scenario.events.extend(breach)
    scenario.given(cmd.RegisterAppeal(registration_number="П-1"))
    closed = scenario.when(cmd.CloseAppeal(outcome=Outcome.WITHDRAWN))
    assert isinstance(closed[0], ev.AppealClosed) and closed[0].outcome is Outcome.WITHDRAWN


# --- ст.8 ч.3: forward within 7 days of registration, notify the citizen; the appeal closes ----
@pytest.mark.parametrize(
    ("registered_on", "due"),
    [
        ("29.12.2025", "12.01.2026"),  # 05.01 in the New Year holidays → the first working day
        ("16.02.2026", "24.02.2026"),  # 23.02 a holiday
        ("02.03.2026", "10.03.2026"),  # 09.03 the day off for 08.03
        ("04.05.2026", "12.05.2026"),  # 11.05 the day off for 09.05
        ("05.06.2026", "15.06.2026"),  # 12.06 Russia Day, then the weekend
        ("28.10.2026", "05.11.2026"),  # 04.11 Unity Day
    ],
)
def test_st8_ch3_forwarding_is_due_seven_days_after_registration(
    registered_on: str, due: str
) -> None:
    scenario = registered(registered_on)
    state = scenario.state
    assert state is not None and state.forward_due == end_of(due)
    events = scenario.when(forward(msk(registered_on, 13)), after=timedelta(hours=2))
    assert [type(e) for e in events] == [ev.AppealForwarded, ev.AppealClosed]
    assert events[0].occurred_at < end_of(due)  # forwarded in time


@pytest.mark.parametrize(
    ("notified", "allowed"),
    [
        (msk("29.11.2025"), False),  # a month before receipt (defect 5)
        (msk("29.12.2025", 11), False),  # after receipt, before registration (31.12 12:00)
        (msk("31.12.2025", 12), True),  # at registration
        (msk("05.01.2026", 9), True),  # in the holidays, before now
        (msk("12.01.2026", 14), False),  # in the future (now is 12.01 10:00)
    ],
)
def test_st8_ch3_the_notice_of_forwarding_lies_within_registration_and_now(
    notified: datetime, allowed: bool
) -> None:
    scenario = registered("29.12.2025", "31.12.2025")
    after = msk("12.01.2026") - scenario.now
    if allowed:
        events = scenario.when(forward(notified), after=after)
        assert isinstance(events[0], ev.AppealForwarded)
        assert events[0].citizen_notified_at == notified
    else:
        with pytest.raises(InvalidCommand, match="citizen_notified_at"):
            scenario.when(forward(notified), after=after)


def test_defect_5_a_notice_dated_a_month_before_receipt_is_refused() -> None:
    """Issue 14, defect 5: `citizen_notified_at` only had to be not in the future, so a notice
    dated a month before receipt was accepted."""
    scenario = registered("29.12.2025")
    with pytest.raises(InvalidCommand, match=r"ст\.8 ч\.3 59-ФЗ.*before"):
        scenario.when(forward(msk("29.11.2025")))
    with pytest.raises(InvalidCommand, match=r"ст\.8 ч\.4 59-ФЗ.*before"):
        scenario.when(copies(msk("29.11.2025")))


# --- ст.8 ч.4: copies to several bodies within 7 days; our part stays open ------------------------
@pytest.mark.parametrize(
    ("registered_on", "sent_on", "in_time"),
    [
        ("29.12.2025", "12.01.2026", True),  # the term ends 12.01 after the holidays
        ("29.12.2025", "13.01.2026", False),
        ("16.02.2026", "24.02.2026", True),  # 23.02 a holiday moves it to 24.02
        ("05.06.2026", "15.06.2026", True),  # 12.06 and the weekend
    ],
)
def test_st8_ch4_copies_go_to_several_bodies_and_our_part_stays_open(
    registered_on: str, sent_on: str, in_time: bool
) -> None:
    scenario = registered(registered_on)
    events = scenario.when(copies(msk(sent_on, 9)), after=msk(sent_on) - scenario.now)
    assert [type(e) for e in events] == [ev.AppealCopiesSent]
    sent = events[0]
    assert isinstance(sent, ev.AppealCopiesSent)
    assert sent.to_bodies == ("Роспотребнадзор", "ГЖИ области")
    scenario.events.extend(events)
    state = scenario.state
    assert state is not None and not state.is_closed and state.forwarded_to is None
    assert state.copied_to == ("Роспотребнадзор", "ГЖИ области")
    assert state.forward_due is not None and (sent.occurred_at < state.forward_due) is in_time
    # our part goes on: assigned and answered
    scenario.given(ASSIGN, DRAFT)
    assert scenario.state is not None and scenario.state.answer_text is not None


def test_st8_ch4_a_copy_goes_to_a_body_once_and_not_after_the_answer() -> None:
    scenario = registered("02.03.2026").given(copies(msk("02.03.2026", 12), "ГЖИ области"))
    with pytest.raises(RuleViolated, match="already went to: ГЖИ области"):
        scenario.when(copies(msk("02.03.2026", 12), "ГЖИ области"))
    answered = scenario.given(
        ASSIGN, DRAFT, cmd.ApproveAnswer(), cmd.PublishAnswer(), after=timedelta(hours=1)
    )
    with pytest.raises(RuleViolated, match="answered appeal cannot be copied"):
        answered.when(copies(answered.now, "Прокуратура"))


@pytest.mark.parametrize(
    ("registered_on", "sent_on", "assigned_on", "met_on", "status"),
    [
        # copies alone route the appeal: the term ends 12.01 after the New Year holidays
        ("29.12.2025", "12.01.2026", None, "12.01.2026", DeadlineStatus.MET),
        ("29.12.2025", "13.01.2026", None, "13.01.2026", DeadlineStatus.MISSED),
        ("16.02.2026", "24.02.2026", None, "24.02.2026", DeadlineStatus.MET),  # 23.02 a holiday
        # our part assigned first: the assignment met it, later copies do not move that
        ("05.06.2026", "15.06.2026", "08.06.2026", "08.06.2026", DeadlineStatus.MET),
        # copies first, our part assigned after the term: the copies met it in time
        ("02.03.2026", "05.03.2026", "16.03.2026", "05.03.2026", DeadlineStatus.MET),
    ],
)
def test_st8_ch4_copies_meet_the_forward_deadline_as_assignment_does(
    registered_on: str, sent_on: str, assigned_on: str | None, met_on: str, status: DeadlineStatus
) -> None:
    """The forward deadline (7 days from registration) asks that the appeal be routed: copies to
    the other competent bodies route the questions outside our competence, assignment our part;
    the first of them meets it, in the decider, the appeal's SLA and both views."""
    scenario = registered(registered_on)
    acts: list[tuple[datetime, cmd.Command]] = [(msk(sent_on, 9), copies(msk(sent_on, 9)))]
    if assigned_on is not None:
        acts.append((msk(assigned_on, 11), ASSIGN))
    for at, command in sorted(acts, key=lambda a: a[0]):
        scenario.given(command, after=at - scenario.now)
    met = msk(met_on, 9 if met_on == sent_on else 11)
    state = scenario.state
    assert state is not None and state.routed_at == met
    # the watcher has nothing to record, even after the term
    with pytest.raises(RuleViolated, match="'forward' deadline was met"):
        scenario.when(
            cmd.RecordDeadlineBreach(deadline=Deadline.FORWARD), WATCHER, timedelta(days=30)
        )
    views = deadlines(
        scenario.events, now=scenario.now, calendar=POLICY.calendar, timezone=POLICY.timezone
    )
    forward_view = next(v for v in views if v.deadline is Deadline.FORWARD)
    assert (forward_view.met_at, forward_view.status) == (met, status)
    sla_row = next(r for r in sla_rows(state) if r[1] == Deadline.FORWARD.value)
    assert sla_row[4] == met and not sla_row[5]  # met, our part still open
    routed_at = APPEALS_COLUMNS.index("routed_at")
    assert appeals_row((state, 1))[routed_at] == met  # the list's routed_at: no breach candidate


# --- ст.8 ч.6: a complaint never goes to the body or official it complains about -------------------
@pytest.mark.parametrize(
    ("against", "to", "allowed"),
    [
        ("Управление ЖКХ", "Управление ЖКХ", False),
        ("Управление ЖКХ", "  управление   жкх ", False),  # case and spaces do not matter
        ("«Управляющая компания»", "Управляющая компания", False),  # nor quotes
        ("Глава района Иванов И. И.", "Глава района Иванов И. И.", False),  # an official
        ("Управление ЖКХ", "ГЖИ области", True),
        (None, "Управление ЖКХ", True),  # not a complaint
    ],
)
def test_st8_ch6_a_complaint_is_not_forwarded_or_copied_to_its_subject(
    against: str | None, to: str, allowed: bool
) -> None:
    scenario = registered("05.06.2026")
    notified = msk("05.06.2026", 12)
    for command in (copies(notified, to, against=against), forward(notified, to, against)):
        if allowed:
            assert scenario.when(command)
        else:
            with pytest.raises(RuleViolated, match=r"ст\.8 ч\.6 59-ФЗ"):
                scenario.when(command)


def test_st8_ch6_the_complaints_subject_is_remembered_for_later_acts() -> None:
    scenario = registered("05.06.2026").given(
        copies(msk("05.06.2026", 12), "Прокуратура района", against="Управление ЖКХ")
    )
    assert scenario.state is not None and scenario.state.complaint_against == "Управление ЖКХ"
    with pytest.raises(RuleViolated, match=r"ст\.8 ч\.6 59-ФЗ"):
        scenario.when(forward(msk("05.06.2026", 12), "Управление ЖКХ"))
    with pytest.raises(RuleViolated, match=r"ст\.8 ч\.6 59-ФЗ"):
        scenario.when(copies(msk("05.06.2026", 12), "УПРАВЛЕНИЕ ЖКХ"))
