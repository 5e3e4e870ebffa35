"""Through the application and the engine: an unregistered appeal stays watched (ст.8 ч.2 59-ФЗ),
copies are stored, folded and meet the forward deadline (ст.8 ч.4), and the re-timer counts with
the appeal's topic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.application import AppealsApplication
from domain.appeals.vocabulary import Channel, Deadline, Kind, Outcome
from domain.shared.errors import RuleViolated
from domain.shared.inputs import as_record
from domain.sla.book import DeadlineRuleInput, PublishPolicy
from domain.sla.policy import DeadlineRule, Unit
from infra.container import Container
from projections.reactors.deadlines import DeadlineWatcher
from tests.support.appeals import CURATOR, OPERATOR, receive

pytestmark = pytest.mark.integration


def test_an_unregistered_letter_cannot_be_closed_and_its_registration_breach_is_recorded(
    app: AppealsApplication, container: Container
) -> None:
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    letter = app.receive(
        receive(Kind.APPEAL, Channel.LETTER, occurred_at=ten_days_ago),
        actor=OPERATOR,
        idempotency=None,
    )
    appeal_id = letter.state.id
    with pytest.raises(RuleViolated, match=r"ст\.8 ч\.2 59-ФЗ"):
        app.handle(appeal_id, cmd.CloseAppeal(outcome=Outcome.WITHDRAWN), actor=OPERATOR)
    container.engine.catch_up_all()
    now = datetime.now(UTC)
    assert (appeal_id, "register") in container.queries.breach_candidates(now, limit=100_000)
    DeadlineWatcher(app, container.queries, lambda: now).scan()
    breached = [e for e in app.events_of(appeal_id) if isinstance(e, ev.DeadlineBreached)]
    assert [b.deadline for b in breached] == [Deadline.REGISTER]


def test_copies_are_stored_and_the_appeal_stays_open(
    app: AppealsApplication, container: Container
) -> None:
    letter = app.receive(receive(Kind.APPEAL, Channel.EMAIL), actor=OPERATOR, idempotency=None)
    app.handle(letter.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
    result = app.handle(
        letter.state.id,
        cmd.SendCopies(
            to_bodies=("Роспотребнадзор", "ГЖИ области"),
            reason="Часть вопросов в их компетенции",
            citizen_notified_at=datetime.now(UTC),
            complaint_against="Управление ЖКХ",
        ),
        actor=OPERATOR,
    )
    state = app.state(letter.state.id)
    assert state == result.state and not state.is_closed
    assert state.copied_to == ("Роспотребнадзор", "ГЖИ области")
    assert state.complaint_against == "Управление ЖКХ"
    # the copies routed the appeal (ст.8 ч.4): the forward deadline is met in the stored views,
    # so the watcher does not breach it; our part's answer is still owed
    container.engine.catch_up_all()
    later = datetime.now(UTC) + timedelta(days=60)
    candidates = container.queries.breach_candidates(later, limit=100_000)
    assert (letter.state.id, "answer") in candidates
    assert (letter.state.id, "forward") not in candidates


def test_the_retimer_counts_with_the_appeals_topic(
    app: AppealsApplication, container: Container
) -> None:
    container.seed_calendar()
    message = app.receive(receive(), actor=OPERATOR, idempotency=None)  # a ПОС message
    app.handle(message.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
    categorised = app.handle(
        message.state.id, cmd.CategoriseAppeal(topic="ЖКХ", essence="Течёт крыша"), actor=OPERATOR
    ).state
    ten_days = categorised.answer_due
    assert ten_days is not None
    container.engine.catch_up_all()
    current = container.policies.policy("federal")
    assert current is not None
    housing = DeadlineRule(
        deadline=Deadline.ANSWER,
        kinds=frozenset({Kind.MESSAGE}),
        topic="ЖКХ",
        anchor="AppealRegistered",
        amount=5,
        unit=Unit.CALENDAR_DAYS,
    )
    for rules, note in (
        ((*current.rules, housing), "ЖКХ в ПОС: 5 дней"),
        (current.rules, "Без отдельного срока для ЖКХ"),
    ):
        # a correction re-times running deadlines (an ordinary version applies to appeals
        # received from its date); the 5 days move one earlier, so it says it may shorten
        publication = PublishPolicy(
            title=current.title,
            rules=tuple(as_record(r, DeadlineRuleInput) for r in rules),
            note=note,
            correction=True,
            reason=f"Исправление ошибки в политике: {note}",
            may_shorten=rules is not current.rules,
        )
        container.policies.publish("federal", publication, actor=CURATOR)
        container.engine.catch_up_all()  # the re-timer follows the publication in the log
        if rules is not current.rules:
            (event,) = [
                e for e in app.events_of(message.state.id) if isinstance(e, ev.DeadlinesRetimed)
            ]
            (answer,) = event.deadlines
            assert answer.provenance.rule == "5 календарных дней с момента регистрации"
            assert answer.due < ten_days
    assert app.state(message.state.id).answer_due == ten_days
    assert msgspec.json.encode(app.state(message.state.id))  # folds and encodes


def test_a_returned_complaint_and_a_request_after_forwarding_are_stored(
    app: AppealsApplication,
) -> None:
    """ст.8 ч.7: the return with its notice is stored and closes the appeal; ст.8 ч.5: a request
    for the results goes to the body an appeal was forwarded to, after it closed."""
    complaint = app.receive(receive(Kind.APPEAL, Channel.EMAIL), actor=OPERATOR, idempotency=None)
    app.handle(complaint.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
    notice = cmd.NoticeInput(channel=Channel.EMAIL, template_id="complaint-returned")
    app.handle(
        complaint.state.id,
        cmd.ReturnComplaint(
            reason="Иного органа нет",
            court_explanation="Право обжаловать в суде",
            notice=notice,
            complaint_against="Управление ЖКХ",
        ),
        actor=CURATOR,
    )
    state = app.state(complaint.state.id)
    assert state.is_closed and state.outcome is Outcome.RETURNED
    assert state.complaint_against == "Управление ЖКХ"

    letter = app.receive(receive(Kind.APPEAL, Channel.EMAIL), actor=OPERATOR, idempotency=None)
    app.handle(letter.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
    app.handle(
        letter.state.id,
        cmd.ForwardAppeal(
            to_body="ГЖИ области",
            reason="Не наша компетенция",
            citizen_notified_at=datetime.now(UTC),
        ),
        actor=OPERATOR,
    )
    asked = app.handle(
        letter.state.id,
        cmd.RequestInformation(to_body="ГЖИ области", what="Результаты рассмотрения"),
        actor=CURATOR,
    ).state
    assert asked.is_closed and asked.outcome is Outcome.FORWARDED
    assert [r.to_body for r in app.state(letter.state.id).information_requests] == ["ГЖИ области"]
