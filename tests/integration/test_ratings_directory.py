"""Ratings by the directory for the period (issue 15): a unit renamed within the period is one
line under its name at the period's end with the former name known, and a unit merged into it
counts under its successor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from domain.appeals import commands as cmd
from domain.organisation.commands import ChangeDirectory
from domain.ratings.methodology import Scope
from domain.ratings.score import parse_period
from infra.container import Container
from infra.database import ConnectionInfo
from tests.conftest import own_database
from tests.support.appeals import CURATOR, receive
from tests.support.directory import LOADER

pytestmark = pytest.mark.integration
OCTOBER = datetime(2026, 10, 5, 9, tzinfo=UTC)


def change(container: Container, effective: str, *changes: dict[str, object]) -> None:
    command = msgspec.convert({"changes": changes, "effective": effective}, ChangeDirectory)
    container.directory.change(command, actor=LOADER)


def answered(container: Container, unit: str, at: datetime) -> None:
    """An appeal assigned to ``unit`` and answered at ``at`` (business times)."""
    app = container.appeals
    appeal_id = app.receive(receive(occurred_at=at), actor=CURATOR, idempotency=None).state.id
    steps: list[cmd.Command] = [
        cmd.RegisterAppeal(occurred_at=at),
        cmd.AssignAppeal(department=unit, occurred_at=at + timedelta(hours=1)),
        cmd.DraftAnswer(text="Сделано", occurred_at=at + timedelta(hours=2)),
        cmd.ApproveAnswer(occurred_at=at + timedelta(hours=3)),
        cmd.PublishAnswer(occurred_at=at + timedelta(hours=4)),
    ]
    for step in steps:
        app.handle(appeal_id, step, actor=CURATOR)


@pytest.fixture(scope="module")
def renamed(db_server: ConnectionInfo) -> Iterator[Container]:
    with own_database(db_server, "renamed") as (container, _):
        unit = {"op": "create-unit", "kind": "unit", "parent_id": "s-test"}
        change(
            container,
            "2026-01-01",
            {**unit, "unit_id": "roads", "name": "Отдел дорог"},
            {**unit, "unit_id": "paths", "name": "Отдел тротуаров"},
        )
        for day in range(3):
            answered(container, "roads", OCTOBER + timedelta(days=day))
        answered(container, "paths", OCTOBER)
        change(
            container,
            "2026-10-15",
            {"op": "rename-unit", "unit_id": "roads", "name": "Управление дорог"},
        )
        change(
            container, "2026-10-20", {"op": "merge-unit", "unit_id": "paths", "into_id": "roads"}
        )
        container.engine.catch_up_all()
        yield container


def test_a_period_spanning_a_rename_and_a_merge_rates_one_unit_under_its_name_then(
    renamed: Container,
) -> None:
    figures = renamed.ratings.figures(parse_period("2026-10"), Scope.DEPARTMENT)
    roads = [f for f in figures if f.unit in ("roads", "paths")]
    assert [(f.unit, f.volume) for f in roads] == [("roads", 4)]
    methodology = renamed.methodologies.methodology("v1")
    assert methodology is not None
    rating = renamed.ratings.rating(
        methodology, parse_period("2026-10"), Scope.DEPARTMENT, as_reported=True
    )
    (line,) = [u for u in rating.units if u.unit == "roads"]
    assert (line.name, line.former_names) == ("Управление дорог", ("Отдел дорог",))


def test_the_sector_scope_is_the_directorys_sector_of_each_unit(renamed: Container) -> None:
    figures = renamed.ratings.figures(parse_period("2026-10"), Scope.SECTOR)
    assert [(f.unit, f.volume) for f in figures] == [("s-test", 4)]  # no sector was typed
