"""Events recorded before the directory keep their meaning (issue 15): an assignment that named
its department by a free-text name, stored without the ids, resolves to the directory's unit
through its names and aliases: its executor acts on it, and ratings count it under the unit."""

from __future__ import annotations

from datetime import UTC, date, datetime

import msgspec
import pytest

from domain.appeals import commands as cmd
from domain.appeals.application import AppealsApplication
from domain.appeals.events import AppealAssigned
from domain.appeals.vocabulary import Channel, Kind
from domain.organisation.lookup import recorded_as
from domain.ratings.methodology import Scope
from domain.shared.actors import Actor, Role
from infra.container import Container
from infra.event_codec import decode_event
from projections.appeals import AppealFilter
from projections.rated_units import unit_of
from tests.support.appeals import OPERATOR, receive

pytestmark = pytest.mark.integration
# the bytes an assignment was stored as before issue 15: no unit_id, executor_id, sector_id
OLD_ASSIGNMENT = {"department": "Отдел старых записей", "executor": "Петрова", "sector": "Блок"}
STARY_EXECUTOR = Actor(id="ex-stary", role=Role.EXECUTOR, name="Исполнитель", department="stary")


def test_an_assignment_stored_before_the_directory_still_decodes_with_names_only() -> None:
    envelope = {
        "originator_id": "6a1f4f0e-0000-4000-8000-000000000001",
        "originator_version": 4,
        "timestamp": "2025-03-01T09:00:00Z",
        "occurred_at": "2025-03-01T09:00:00Z",
        "actor": {"id": "op", "role": "operator", "name": "Оператор"},
    }
    event = decode_event("AppealAssigned", msgspec.json.encode({**envelope, **OLD_ASSIGNMENT}))
    assert isinstance(event, AppealAssigned)
    assert (event.department, event.unit_id, event.executor_id) == (
        "Отдел старых записей",
        None,
        None,
    )


def test_an_old_assignment_by_name_is_its_units_for_the_executor_and_for_the_ratings(
    app: AppealsApplication,
) -> None:
    received = app.receive(receive(Kind.APPEAL, Channel.LETTER), actor=OPERATOR, idempotency=None)
    appeal_id = received.state.id
    app.handle(appeal_id, cmd.RegisterAppeal(), actor=OPERATOR)
    directory, app.directory = app.directory, None  # as before the directory: names as typed
    try:
        app.handle(appeal_id, cmd.AssignAppeal(department="Отдел старых записей"), actor=OPERATOR)
    finally:
        app.directory = directory
    stored = app.events_of(appeal_id)[-1]
    assert isinstance(stored, AppealAssigned) and stored.unit_id is None
    assert app.state(appeal_id).department == "Отдел старых записей"  # the name, as recorded
    # the unit's executor (bound to the unit's id) acts on it: the name resolves to the unit
    app.handle(appeal_id, cmd.GiveInterimAnswer(text="Проверяем"), actor=STARY_EXECUTOR)
    assert directory is not None
    assert (
        unit_of(directory(), "Отдел старых записей", Scope.DEPARTMENT, date(2026, 11, 1)) == "stary"
    )


def test_an_assignment_checked_by_the_directory_keeps_its_business_time(
    app: AppealsApplication,
) -> None:
    at = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    received = app.receive(
        receive(Kind.APPEAL, Channel.LETTER, occurred_at=at), actor=OPERATOR, idempotency=None
    )
    appeal_id = received.state.id
    app.handle(appeal_id, cmd.RegisterAppeal(occurred_at=at), actor=OPERATOR)
    app.handle(appeal_id, cmd.AssignAppeal(department="vremya", occurred_at=at), actor=OPERATOR)
    assigned = app.events_of(appeal_id)[-1]
    assert isinstance(assigned, AppealAssigned)
    assert (assigned.occurred_at, assigned.unit_id, assigned.department) == (
        at,
        "vremya",
        "Отдел деловых дат",
    )


def test_a_list_by_the_units_id_finds_the_appeals_recorded_under_its_older_name(
    container: Container,
) -> None:
    app = container.appeals
    received = app.receive(receive(Kind.APPEAL, Channel.LETTER), actor=OPERATOR, idempotency=None)
    appeal_id = received.state.id
    app.handle(appeal_id, cmd.RegisterAppeal(), actor=OPERATOR)
    directory, app.directory = app.directory, None  # as before the directory: names as typed
    try:
        app.handle(appeal_id, cmd.AssignAppeal(department="Отдел старых записей"), actor=OPERATOR)
    finally:
        app.directory = directory
    container.engine.catch_up_all()
    names = recorded_as(container.directory.directory(), "stary")
    listed = container.queries.list(
        AppealFilter(department="stary", department_names=names), limit=200, cursor=None
    )
    assert appeal_id in {item.id for item in listed.items}
    by_id_only = container.queries.list(AppealFilter(department="stary"), limit=200, cursor=None)
    assert appeal_id not in {item.id for item in by_id_only.items}
