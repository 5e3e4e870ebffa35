"""The directory of the administration: given these changes, the directory as of a date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import msgspec
import pytest

from domain.organisation.changes import decide
from domain.organisation.commands import ChangeDirectory
from domain.organisation.directory import Directory, evolve
from domain.organisation.events import STREAM, DirectoryEvent, UnitKind
from domain.organisation.lookup import UnknownUnit, require_open, resolve
from domain.shared.actors import Actor, Role
from domain.shared.errors import Forbidden, InvalidCommand
from domain.shared.handler import Decision

NOW = datetime(2026, 11, 1, 9, tzinfo=UTC)
ADMIN = Actor(id="admin", role=Role.ADMINISTRATOR, name="Администратор")
UNITS = frozenset({UnitKind.UNIT, UnitKind.INSTITUTION})

BASE = [
    {
        "op": "create-unit",
        "unit_id": "city",
        "kind": "municipality",
        "name": "Администрация города",
    },
    {
        "op": "create-unit",
        "unit_id": "s-city",
        "kind": "sector",
        "name": "Блок городского хозяйства",
        "parent_id": "city",
    },
    {
        "op": "create-unit",
        "unit_id": "ugkh",
        "kind": "unit",
        "name": "Управление ЖКХ",
        "parent_id": "s-city",
    },
    {
        "op": "create-unit",
        "unit_id": "udh",
        "kind": "unit",
        "name": "Управление дорожного хозяйства",
        "parent_id": "s-city",
    },
    {
        "op": "create-unit",
        "unit_id": "mbu-gorsvet",
        "kind": "institution",
        "name": "МБУ «Горсвет»",
        "parent_id": "s-city",
        "founder_id": "ugkh",
    },
    {"op": "register-person", "person_id": "p-1", "name": "Сидоров Пётр Ильич"},
    {"op": "appoint", "person_id": "p-1", "unit_id": "s-city", "position": "deputy_head"},
    {"op": "register-person", "person_id": "p-2", "name": "Иванова Анна Сергеевна"},
    {"op": "appoint", "person_id": "p-2", "unit_id": "ugkh", "position": "executor"},
]


def given(*batches: tuple[list[Any], str], actor: Actor = ADMIN) -> Directory:
    state: Directory | None = None
    version = 0
    for changes, effective in batches:
        command = msgspec.convert({"changes": changes, "effective": effective}, ChangeDirectory)
        decided: list[DirectoryEvent] = decide(
            state, command, Decision(stream_id=STREAM, version=version, actor=actor, now=NOW)
        )
        for event in decided:
            state = evolve(state, event)
        version += len(decided)
    assert state is not None
    return state


def test_a_rename_keeps_the_former_name_and_the_directory_reads_as_of_either_date() -> None:
    d = given(
        (BASE, "2026-01-01"),
        ([{"op": "rename-unit", "unit_id": "ugkh", "name": "Департамент ЖКХ"}], "2026-05-01"),
    )
    march, june = date(2026, 3, 10), date(2026, 6, 1)
    assert d.name_of("ugkh", march) == "Управление ЖКХ"
    assert d.name_of("ugkh", june) == "Департамент ЖКХ"
    unit = d.unit("ugkh", june)
    assert unit is not None and unit.former_names == ("Управление ЖКХ",)


def test_a_merged_unit_counts_under_its_successor_from_the_merge_on() -> None:
    d = given(
        (BASE, "2026-01-01"),
        ([{"op": "merge-unit", "unit_id": "udh", "into_id": "ugkh"}], "2026-07-01"),
    )
    assert d.rated_as("udh", date(2026, 6, 30)) == "udh"
    assert d.rated_as("udh", date(2026, 7, 1)) == "ugkh"
    assert d.is_open("udh", date(2026, 6, 30)) and not d.is_open("udh", date(2026, 7, 1))
    assert [u.id for u in d.listing(date(2026, 8, 1))] == ["city", "mbu-gorsvet", "s-city", "ugkh"]


def test_an_escalation_reaches_the_deputy_head_of_the_units_sector() -> None:
    d = given((BASE, "2026-01-01"))
    assert d.responsible_for("mbu-gorsvet") == "p-1"
    assert d.sector_of("mbu-gorsvet") == "s-city"


def test_an_executor_is_bound_to_a_unit_through_the_position() -> None:
    d = given(
        (BASE, "2026-01-01"),
        (
            [{"op": "relieve", "person_id": "p-2", "unit_id": "ugkh", "position": "executor"}],
            "2026-09-01",
        ),
    )
    assert d.executor_unit("p-2", date(2026, 8, 31)) == "ugkh"
    assert d.executor_unit("p-2", date(2026, 9, 1)) is None


def test_an_unknown_unit_is_refused_with_the_closest_open_units() -> None:
    d = given((BASE, "2026-01-01"))
    with pytest.raises(UnknownUnit) as refused:
        require_open(d, "ugkx", None, kinds=UNITS)
    assert refused.value.extra["suggestions"][0] == {"id": "ugkh", "name": "Управление ЖКХ"}


def test_a_name_recorded_before_the_directory_resolves_through_names_and_aliases() -> None:
    d = given(
        (BASE, "2026-01-01"),
        ([{"op": "add-alias", "unit_id": "ugkh", "alias": "ЖКХ"}], "2026-01-02"),
    )
    assert resolve(d, "управление  жкх") == "ugkh"
    assert resolve(d, "ЖКХ") == "ugkh"
    assert resolve(d, "Отдел культуры") is None


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (
            {
                "op": "create-unit",
                "unit_id": "ugkh",
                "kind": "unit",
                "name": "x",
                "parent_id": "s-city",
            },
            "never reused",
        ),
        (
            {
                "op": "create-unit",
                "unit_id": "u2",
                "kind": "institution",
                "name": "x",
                "parent_id": "s-city",
            },
            "founding unit",
        ),
        (
            {
                "op": "create-unit",
                "unit_id": "u3",
                "kind": "sector",
                "name": "x",
                "parent_id": "ugkh",
            },
            "cannot be the parent",
        ),
        ({"op": "close-unit", "unit_id": "ugkh"}, "still has open units"),
        (
            {"op": "appoint", "person_id": "p-2", "unit_id": "ugkh", "position": "deputy_head"},
            "cannot be the unit",
        ),
        ({"op": "move-unit", "unit_id": "s-city", "parent_id": "s-city"}, "cannot be the parent"),
    ],
)
def test_a_change_that_breaks_a_rule_is_refused_naming_it(change: Any, rule: str) -> None:
    with pytest.raises(InvalidCommand, match=rule):
        given((BASE, "2026-01-01"), ([change], "2026-02-01"))


def test_only_an_administrator_changes_the_directory() -> None:
    with pytest.raises(Forbidden):
        given((BASE, "2026-01-01"), actor=Actor(id="op", role=Role.OPERATOR, name="Оператор"))


def test_a_batch_is_decided_in_order_and_one_bad_change_refuses_the_whole_batch() -> None:
    bad = [*BASE, {"op": "appoint", "person_id": "p-9", "unit_id": "ugkh", "position": "executor"}]
    with pytest.raises(InvalidCommand, match="change 10: the directory has no person"):
        given((bad, "2026-01-01"))


def test_a_persons_work_email_is_effective_dated_and_can_be_cleared() -> None:
    d = given(
        (BASE, "2026-01-01"),
        (
            [{"op": "set-email", "person_id": "p-1", "email": "sidorov@city.example.ru"}],
            "2026-03-01",
        ),
        ([{"op": "set-email", "person_id": "p-1", "email": None}], "2026-06-01"),
    )
    assert d.email_of("p-1", date(2026, 2, 28)) is None
    assert d.email_of("p-1", date(2026, 3, 1)) == "sidorov@city.example.ru"
    assert d.email_of("p-1", date(2026, 6, 1)) is None
    assert d.email_of("p-9", date(2026, 3, 1)) is None


def test_an_email_for_an_unknown_person_or_a_malformed_one_is_refused() -> None:
    with pytest.raises(InvalidCommand, match="no person p-9"):
        given(
            (BASE, "2026-01-01"),
            ([{"op": "set-email", "person_id": "p-9", "email": "a@b.ru"}], "2026-02-01"),
        )
    with pytest.raises(msgspec.ValidationError):
        given(
            (BASE, "2026-01-01"),
            ([{"op": "set-email", "person_id": "p-1", "email": "Иван <a@b.ru>"}], "2026-02-01"),
        )
    same = {"op": "set-email", "person_id": "p-1", "email": "a@b.ru"}
    with pytest.raises(InvalidCommand, match="already has this e-mail"):
        given((BASE, "2026-01-01"), ([same], "2026-02-01"), ([same], "2026-03-01"))
