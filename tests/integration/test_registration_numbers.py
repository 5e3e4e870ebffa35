"""Registration numbers are unique within a municipality, typed or issued by the sequence."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from domain.appeals import commands as cmd
from domain.appeals.application import AppealsApplication
from domain.appeals.registrations import RegistrationNumberTaken
from tests.support.appeals import OPERATOR, receive


def _received(app: AppealsApplication) -> uuid.UUID:
    return app.receive(receive(), actor=OPERATOR, idempotency=None).state.id


def test_a_typed_number_taken_by_another_appeal_is_refused_and_nothing_is_appended(
    app: AppealsApplication,
) -> None:
    number = f"ВХ-{uuid.uuid4().hex[:8]}"
    first, second = _received(app), _received(app)
    app.handle(first, cmd.RegisterAppeal(registration_number=number), actor=OPERATOR)
    head = app.recorder.max_notification_id()
    with pytest.raises(RegistrationNumberTaken):
        app.handle(second, cmd.RegisterAppeal(registration_number=number), actor=OPERATOR)
    assert app.recorder.max_notification_id() == head
    assert app.state(second).registration_number is None


def test_the_same_number_may_be_taken_once_in_each_municipality(
    app: AppealsApplication,
) -> None:
    number = f"ВХ-{uuid.uuid4().hex[:8]}"
    app.handle(_received(app), cmd.RegisterAppeal(registration_number=number), actor=OPERATOR)
    recorder = app.appeal_recorder
    assert recorder.registration_taken(None, number)
    assert not recorder.registration_taken("ekaterinburg", number)


def test_the_sequence_skips_a_number_a_clerk_typed_before_it_was_issued(
    app: AppealsApplication, sql: psycopg.Connection[tuple[object, ...]]
) -> None:
    row = sql.execute("SELECT last_value FROM registration_number_seq").fetchone()
    assert row is not None
    upcoming = int(str(row[0])) + 1
    typed, automatic = _received(app), _received(app)
    year = app.clock().astimezone(app.policy.zone).year
    clash = f"ПОС-{year}/{upcoming:06d}"
    app.handle(typed, cmd.RegisterAppeal(registration_number=clash), actor=OPERATOR)
    issued = app.handle(automatic, cmd.RegisterAppeal(), actor=OPERATOR).state
    assert issued.registration_number is not None and issued.registration_number != clash


def test_a_number_taken_between_the_check_and_the_append_is_refused_by_the_database(
    app: AppealsApplication,
    sql: psycopg.Connection[tuple[object, ...]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    number = f"ВХ-{uuid.uuid4().hex[:8]}"
    appeal = _received(app)
    # Another request commits the same number just after this one checked it.
    monkeypatch.setattr(app.appeal_recorder, "registration_taken", lambda *_: False)
    sql.execute(
        "INSERT INTO registration_numbers (municipality, number, appeal_id) VALUES ('', %s, %s)",
        (number, uuid.uuid4()),
    )
    head = app.recorder.max_notification_id()
    with pytest.raises(RegistrationNumberTaken):
        app.handle(appeal, cmd.RegisterAppeal(registration_number=number), actor=OPERATOR)
    assert app.recorder.max_notification_id() == head
