"""ст.10 ч.1 п.2, ч.2 59-ФЗ: a request for documents to another body, which must answer within
15 days: the term computed with its provenance (real dates across holidays: a last day off rolls
to the next working day), the reply meeting it, the breach and escalation when it is unmet."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.vocabulary import Channel, Deadline, EscalationTarget, ExtensionGround, Kind
from domain.shared.errors import RuleViolated
from projections.sla import rows_of
from tests.support.appeals import (
    ASSIGN,
    EXECUTOR,
    HEAD,
    OPERATOR,
    REGISTER,
    WATCHER,
    Scenario,
    receive,
)

MOSCOW = ZoneInfo("Europe/Moscow")
REQUEST = cmd.RequestInformation(to_body="Роспотребнадзор", what="Акт проверки за ноябрь")


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock Moscow time on ``day``, in UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=MOSCOW).astimezone(UTC)


def end_of(day: date) -> datetime:
    return at(day + timedelta(days=1), 0)


def registered_on(day: date) -> Scenario:
    scenario = Scenario(start=at(day) - timedelta(minutes=10))
    return scenario.given(receive(Kind.APPEAL, Channel.LETTER), REGISTER, ASSIGN)


def sent_on(day: date, registered: date | None = None) -> tuple[Scenario, ev.InformationRequested]:
    """An appeal registered on ``registered`` (default: the same day) with a request sent at
    10:00 on ``day``."""
    scenario = registered_on(registered or day)
    scenario.now = at(day) - timedelta(minutes=5)
    (event,) = scenario.when(REQUEST, EXECUTOR)
    scenario.events.append(event)
    assert isinstance(event, ev.InformationRequested)
    return scenario, event


# (sent, due day, the roll-over step or None): 15 calendar days from the day after the request
TERMS = [
    (date(2025, 12, 25), date(2026, 1, 12), "09.01.2026 — нерабочий день"),  # New Year holidays
    (date(2026, 2, 8), date(2026, 2, 24), "23.02.2026 — нерабочий день"),  # Defender's Day
    (date(2026, 4, 24), date(2026, 5, 12), "09.05.2026 — нерабочий день"),  # 9 May, 11 May off
    (date(2026, 3, 2), date(2026, 3, 17), None),  # an ordinary Tuesday: no roll
]


@pytest.mark.parametrize(("sent", "due", "rolled"), TERMS, ids=lambda v: str(v))
def test_st10_part2_the_other_bodys_15_day_term(sent: date, due: date, rolled: str | None) -> None:
    _, event = sent_on(sent)
    assert event.reply_due == end_of(due)
    (computed,) = event.deadlines
    assert computed.deadline is Deadline.INFORMATION_REPLY and computed.due == event.reply_due
    provenance = computed.provenance
    assert provenance.rule == "15 календарных дней с момента направления запроса (ст.10 ч.2 59-ФЗ)"
    assert provenance.anchor.event == "InformationRequested"
    assert provenance.steps[0].startswith(f"Отсчёт: {provenance.rule};")
    assert any(rolled is not None and s.startswith(rolled) for s in provenance.steps) is (
        rolled is not None
    )
    assert (
        provenance.steps[-1]
        == f"Срок истекает в конце дня {due:%d.%m.%Y} (24:00 местного времени)."
    )


def information_reply_row(scenario: Scenario) -> tuple[object, ...]:
    state = scenario.state
    assert state is not None
    (row,) = [r for r in rows_of(state) if r[1] == Deadline.INFORMATION_REPLY.value]
    return row


def test_st10_part2_a_reply_on_the_last_day_meets_the_term() -> None:
    scenario, event = sent_on(date(2025, 12, 25), registered=date(2025, 12, 1))
    scenario.now = at(date(2026, 1, 12), 15) - timedelta(minutes=5)
    reply = cmd.RecordInformationReply(request_id=event.request_id, summary="Акт получен, 3 л.")
    scenario.given(reply, actor=EXECUTOR)
    state = scenario.state
    assert state is not None
    (request,) = state.information_requests
    assert request.replied_at == at(date(2026, 1, 12), 15) < request.reply_due
    # the SLA view's row: due in force, its clock started at the request, met by the reply
    _, _, due, started, met, *_ = information_reply_row(scenario)
    assert (due, started, met) == (
        end_of(date(2026, 1, 12)),
        at(date(2025, 12, 25)),
        request.replied_at,
    )
    scenario.now = at(date(2026, 1, 13))
    with pytest.raises(RuleViolated, match="'information_reply' deadline was met"):
        scenario.when(cmd.RecordDeadlineBreach(deadline=Deadline.INFORMATION_REPLY), WATCHER)
    with pytest.raises(
        RuleViolated, match=r"ст\.10 ч\.2 59-ФЗ: the reply to this request is already"
    ):
        scenario.when(reply, EXECUTOR)


def test_st10_part2_an_unmet_term_is_breached_and_escalated() -> None:
    scenario, _ = sent_on(date(2025, 12, 25), registered=date(2025, 12, 1))
    breach = cmd.RecordDeadlineBreach(
        deadline=Deadline.INFORMATION_REPLY, escalate_to=EscalationTarget.SECTOR_HEAD
    )
    scenario.now = at(date(2026, 1, 12), 20)  # the last day, not over yet
    with pytest.raises(RuleViolated, match="has not passed yet"):
        scenario.when(breach, WATCHER)
    scenario.now = at(date(2026, 1, 13), 0)
    breached, escalated = scenario.when(breach, WATCHER)
    assert isinstance(breached, ev.DeadlineBreached) and isinstance(escalated, ev.AppealEscalated)
    assert breached.due == end_of(date(2026, 1, 12))
    assert escalated.reason == (
        "Нарушен срок «ответ на запрос (ст.10 ч.2 59-ФЗ)»: 13.01.2026 00:00"
    )
    scenario.events += [breached, escalated]
    assert information_reply_row(scenario)[6] is True  # the SLA view's "breached"
    with pytest.raises(RuleViolated, match="already recorded"):
        scenario.when(breach, WATCHER)


def test_the_request_due_first_is_the_deadline_in_force_until_it_is_answered() -> None:
    scenario, first = sent_on(date(2026, 3, 2))
    scenario.now = at(date(2026, 3, 4)) - timedelta(minutes=5)
    (second,) = scenario.when(cmd.RequestInformation(to_body="МЧС", what="Справка"), EXECUTOR)
    scenario.events.append(second)
    assert isinstance(second, ev.InformationRequested) and first.request_id != second.request_id
    assert information_reply_row(scenario)[2] == first.reply_due
    scenario.given(cmd.RecordInformationReply(request_id=first.request_id, summary="Акт"))
    assert information_reply_row(scenario)[2] == second.reply_due


def test_a_reply_to_a_request_never_sent_is_refused() -> None:
    scenario, _ = sent_on(date(2026, 3, 2))
    with pytest.raises(RuleViolated, match=r"ст\.10 ч\.2 59-ФЗ: no request for information"):
        scenario.when(cmd.RecordInformationReply(request_id=uuid4(), summary="?"), EXECUTOR)


def test_a_request_needs_the_registration() -> None:
    scenario = Scenario().given(receive(Kind.APPEAL, Channel.LETTER))
    with pytest.raises(RuleViolated, match="must be registered before 'request-information'"):
        scenario.when(REQUEST, OPERATOR)


def test_defect_2_a_request_is_tracked_and_an_extension_cites_it() -> None:
    """Regression (issue 14, defect 2): requests to other bodies were not modelled, so an
    extension could not cite one and nobody tracked the other body's reply."""
    scenario, event = sent_on(date(2025, 12, 25), registered=date(2025, 12, 1))
    request_id: UUID = event.request_id
    (extended,) = scenario.when(
        cmd.ExtendDeadline(
            days=30,
            ground=ExtensionGround.INFORMATION_REQUESTED,
            reason="Ждём акт Роспотребнадзора",
            information_request_id=request_id,
            citizen_notified_at=scenario.now,
        ),
        HEAD,
    )
    assert isinstance(extended, ev.DeadlineExtended)
    assert extended.information_request_id == request_id
    assert extended.new_due == end_of(date(2026, 2, 11))  # 12.01.2026 + 30 days
    scenario.events.append(extended)
    assert information_reply_row(scenario)[2] == end_of(date(2026, 1, 12))
