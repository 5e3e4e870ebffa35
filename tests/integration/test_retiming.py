"""A calendar correction re-times only the open deadlines it moves, with events that say so: the
re-timer, a reactor on the projection engine, follows the correction in the log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.application import AppealsApplication
from domain.appeals.vocabulary import Channel, Deadline, ExtensionGround, Kind
from domain.shared.inputs import as_record
from domain.sla.book import CorrectDay, DeadlineRuleInput, PublishPolicy
from domain.sla.calendar import DayKind
from infra.container import Container
from tests.support.appeals import CURATOR, DRAFT, HEAD, OPERATOR, receive

pytestmark = pytest.mark.integration


def retimed(app: AppealsApplication, appeal_id: UUID) -> list[ev.DeadlinesRetimed]:
    return [e for e in app.events_of(appeal_id) if isinstance(e, ev.DeadlinesRetimed)]


def test_a_correction_moves_open_working_day_deadlines_and_nothing_else(
    app: AppealsApplication, container: Container
) -> None:
    incident = app.receive(receive(Kind.INCIDENT, Channel.VK), actor=OPERATOR, idempotency=None)
    app.handle(incident.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
    letter = app.receive(receive(Kind.APPEAL, Channel.EMAIL), actor=OPERATOR, idempotency=None)
    app.handle(letter.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
    answered = app.receive(receive(Kind.INCIDENT, Channel.VK), actor=OPERATOR, idempotency=None)
    for command in (
        cmd.RegisterAppeal(),
        cmd.AssignAppeal(department="Управление ЖКХ"),
        DRAFT,
        cmd.ApproveAnswer(),
        cmd.PublishAnswer(),
    ):
        app.handle(answered.state.id, command, actor=OPERATOR)
    container.engine.catch_up_all()
    before = app.state(incident.state.id)
    assert before.answer_due is not None
    calendar = container.calendar.calendar()
    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/Moscow")).date()
    day = calendar.add_working_days(today, 3)  # inside the incident's 7 working days
    assert day < before.answer_due.date()
    container.calendar.correct(
        CorrectDay(
            day=day, kind=DayKind.DAY_OFF, note="Внеплановый выходной", reason="Тест пересчёта"
        ),
        actor=CURATOR,
    )
    container.engine.catch_up_all()  # the re-timer follows the correction in the log
    # The incident's answer deadline (7 working days) moves by a working day, with an event.
    (event,) = retimed(app, incident.state.id)
    (answer,) = event.deadlines
    assert answer.deadline is Deadline.ANSWER and answer.due > before.answer_due
    assert answer.provenance.calendar_version == container.calendar.calendar().version
    assert "Внеплановый выходной" in event.reason and event.actor.role == "system"
    assert app.state(incident.state.id).answer_due == answer.due
    # The letter's 30 calendar days do not end on that day: nothing to re-time.
    assert retimed(app, letter.state.id) == []
    # An answered appeal is judged as it was.
    assert retimed(app, answered.state.id) == []
    # Doing it again changes nothing.
    container.retimer.retime(day, "Тест пересчёта", position=0)
    assert len(retimed(app, incident.state.id)) == 1


def test_a_correction_of_the_policy_in_force_re_times_open_deadlines(
    app: AppealsApplication, container: Container
) -> None:
    container.seed_calendar()
    message = app.receive(receive(), actor=OPERATOR, idempotency=None)  # a ПОС message
    registered = app.handle(message.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
    original = registered.state.answer_due
    assert original is not None
    container.engine.catch_up_all()
    current = container.policies.policy("federal")
    assert current is not None
    shorter = tuple(
        msgspec.structs.replace(r, amount=5)
        if r.deadline is Deadline.ANSWER and Kind.MESSAGE in r.kinds
        else r
        for r in current.rules
    )
    correction = PublishPolicy(
        title=current.title,
        rules=tuple(as_record(r, DeadlineRuleInput) for r in shorter),
        note="Исправление: ПОС — 5 дней",
        correction=True,
        reason="В регламенте ПОС — 5 дней, в политику внесено 10 по ошибке",
        may_shorten=True,
    )
    container.policies.publish("federal", correction, actor=CURATOR)
    container.engine.catch_up_all()  # the re-timer follows the publication in the log
    (event,) = retimed(app, message.state.id)
    (answer,) = event.deadlines
    assert answer.due < original and answer.provenance.policy_version == current.version + 1
    assert "версии" in event.reason and "5 дней" in event.reason
    # Corrected back: the deadline returns, with another event that says so.
    container.engine.catch_up_all()
    restore = PublishPolicy(
        title=current.title,
        rules=tuple(as_record(r, DeadlineRuleInput) for r in current.rules),
        note="Возврат к 10 дням",
        correction=True,
        reason="Исправление было ошибочным: регламент ПОС не менялся",
    )
    container.policies.publish("federal", restore, actor=CURATOR)
    container.engine.catch_up_all()
    back = retimed(app, message.state.id)
    assert len(back) == 2 and back[-1].deadlines[0].due == original
    assert app.state(message.state.id).answer_due == original


def test_an_extended_deadline_is_recomputed_through_its_extension(
    app: AppealsApplication, container: Container
) -> None:
    letter = app.receive(receive(Kind.APPEAL, Channel.EMAIL), actor=OPERATOR, idempotency=None)
    app.handle(letter.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
    extended = app.handle(
        letter.state.id,
        cmd.ExtendDeadline(
            days=5,
            ground=ExtensionGround.EXCEPTIONAL_CASE,
            reason="Нужен выезд",
            citizen_notified_at=datetime.now(UTC),
        ),
        actor=HEAD,
    ).state
    assert extended.answer_due is not None
    container.engine.catch_up_all()
    zone = ZoneInfo("Europe/Moscow")
    last_day = (extended.answer_due - timedelta(microseconds=1)).astimezone(zone).date()
    container.calendar.correct(
        CorrectDay(day=last_day, kind=DayKind.DAY_OFF, note="Перенос", reason="Тест цепочки"),
        actor=CURATOR,
    )
    container.engine.catch_up_all()
    (event,) = retimed(app, letter.state.id)
    (answer,) = event.deadlines
    assert answer.due > extended.answer_due  # rolled past the new day off
    assert any(step.startswith("Продление на 5") for step in answer.provenance.steps)
