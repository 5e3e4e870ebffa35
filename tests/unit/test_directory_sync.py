"""Bringing the directory to the one a file describes: given a directory and the desired one,
these changes (and they decide as one batch)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import msgspec
import pytest

from domain.organisation.changes import decide
from domain.organisation.commands import Change, ChangeDirectory, Relieve
from domain.organisation.directory import Directory, evolve
from domain.organisation.events import STREAM, Position, UnitKind
from domain.organisation.sync import (
    DesiredDirectory,
    DesiredPerson,
    DesiredPosition,
    DesiredUnit,
    PlanRefused,
    plan,
)
from domain.shared.actors import Actor, Role
from domain.shared.handler import Decision

NOW = datetime(2026, 11, 1, 9, tzinfo=UTC)
ADMIN = Actor(id="admin", role=Role.ADMINISTRATOR, name="Администратор")
DAY = date(2026, 1, 1)

CITY = DesiredUnit(id="city", kind=UnitKind.MUNICIPALITY, name="Администрация города")
SECTOR = DesiredUnit(id="s-gh", kind=UnitKind.SECTOR, name="Блок ЖКХ", parent_id="city")
SOCIAL = DesiredUnit(id="s-soc", kind=UnitKind.SECTOR, name="Социальный блок", parent_id="city")
UGKH = DesiredUnit(id="ugkh", kind=UnitKind.UNIT, name="Управление ЖКХ", parent_id="s-gh")
GORSVET = DesiredUnit(
    id="mbu-gorsvet",
    kind=UnitKind.INSTITUTION,
    name="МБУ «Горсвет»",
    parent_id="ugkh",
    founder_id="ugkh",
)
PEOPLE = (DesiredPerson(id="p-1", name="Сидоров Пётр Ильич"),)
HEAD = DesiredPosition(person="p-1", unit="ugkh", position=Position.HEAD)
BASE = DesiredDirectory(
    units=(GORSVET, UGKH, SECTOR, SOCIAL, CITY), people=PEOPLE, positions=(HEAD,)
)


def applied(d: Directory, changes: list[Change], day: date = DAY) -> Directory:
    command = ChangeDirectory(changes=tuple(changes), effective=day)
    decision = Decision(stream_id=STREAM, version=0, actor=ADMIN, now=NOW)
    for event in decide(d, command, decision):
        d = evolve(d, event)
    return d


def loaded(want: DesiredDirectory = BASE) -> Directory:
    return applied(Directory(), plan(Directory(), want))


def ops(changes: list[Change]) -> list[tuple[str, str]]:
    """Each change's name and whom it is about (the person, else the unit)."""
    return [
        (type(c).__name__, str(getattr(c, "person_id", None) or getattr(c, "unit_id", "")))
        for c in changes
    ]


def replaced(want: DesiredDirectory, *units: DesiredUnit) -> DesiredDirectory:
    by_id = {u.id: u for u in want.units} | {u.id: u for u in units}
    return DesiredDirectory(
        units=tuple(by_id.values()), people=want.people, positions=want.positions
    )


def test_a_new_directory_is_created_parents_and_founders_first() -> None:
    changes = plan(Directory(), BASE)
    assert ops(changes) == [
        ("RegisterPerson", "p-1"),
        ("CreateUnit", "city"),
        ("CreateUnit", "s-gh"),
        ("CreateUnit", "ugkh"),
        ("CreateUnit", "mbu-gorsvet"),
        ("CreateUnit", "s-soc"),
        ("Appoint", "p-1"),
    ]
    assert loaded().holders("ugkh", Position.HEAD) == ["p-1"]


def test_the_directory_the_file_describes_needs_no_change() -> None:
    assert plan(loaded(), BASE) == []


def test_one_unit_renamed_in_the_file_is_one_rename() -> None:
    want = replaced(BASE, DesiredUnit(**{**_fields(UGKH), "name": "Департамент ЖКХ"}))
    assert ops(plan(loaded(), want)) == [("RenameUnit", "ugkh")]


def test_a_name_differing_only_in_case_and_spaces_is_the_same_name() -> None:
    want = replaced(
        BASE, DesiredUnit(id="ugkh", kind=UnitKind.UNIT, name="управление  жкх", parent_id="s-gh")
    )
    assert plan(loaded(), want) == []


def test_a_new_parent_moves_the_unit_and_a_new_alias_is_added_once() -> None:
    moved = DesiredUnit(
        id="ugkh",
        kind=UnitKind.UNIT,
        name="Управление ЖКХ",
        parent_id="s-soc",
        aliases=("ЖКХ", "жкх"),
    )
    d = loaded()
    changes = plan(d, replaced(BASE, moved))
    assert ops(changes) == [("MoveUnit", "ugkh"), ("AddAlias", "ugkh")]
    assert plan(applied(d, changes), replaced(BASE, moved)) == []


def test_a_unit_absent_from_the_file_is_not_closed() -> None:
    without = DesiredDirectory(
        units=(GORSVET, UGKH, SECTOR, CITY), people=PEOPLE, positions=(HEAD,)
    )
    assert plan(loaded(), without) == []


def test_a_unit_is_closed_after_its_institutions_and_its_positions_are_given_up() -> None:
    ends = date(2026, 6, 1)
    want = DesiredDirectory(
        units=(
            CITY,
            SECTOR,
            SOCIAL,
            DesiredUnit(**{**_fields(UGKH), "closed": ends}),
            DesiredUnit(**{**_fields(GORSVET), "closed": ends}),
        ),
        people=PEOPLE,
        positions=(),
    )
    d = loaded()
    changes = plan(d, want)
    assert ops(changes) == [("Relieve", "p-1"), ("CloseUnit", "mbu-gorsvet"), ("CloseUnit", "ugkh")]
    after = applied(d, changes, date(2026, 5, 1))
    assert not after.is_open("ugkh", ends) and plan(after, want) == []


def test_a_merge_names_its_successor_and_its_day() -> None:
    merged = DesiredUnit(**{**_fields(SOCIAL), "merged_into": "s-gh", "merged": date(2026, 3, 1)})
    d = loaded()
    changes = plan(d, replaced(BASE, merged))
    assert ops(changes) == [("MergeUnit", "s-soc")]
    assert applied(d, changes).rated_as("s-soc", date(2026, 3, 2)) == "s-gh"


def test_a_person_renamed_and_a_position_taken_in_the_file() -> None:
    want = DesiredDirectory(
        units=BASE.units,
        people=(DesiredPerson(id="p-1", name="Сидоров Пётр Ильич (и. о.)"),),
        positions=(HEAD, DesiredPosition(person="p-1", unit="s-gh", position=Position.DEPUTY_HEAD)),
    )
    assert ops(plan(loaded(), want)) == [("RenamePerson", "p-1"), ("Appoint", "p-1")]


def test_a_position_ended_in_the_file_is_relieved_on_its_day() -> None:
    until = date(2026, 4, 1)
    want = DesiredDirectory(
        units=BASE.units,
        people=PEOPLE,
        positions=(DesiredPosition(**{**_fields(HEAD), "until": until}),),
    )
    changes = plan(loaded(), want)
    assert ops(changes) == [("Relieve", "p-1")]
    assert isinstance(changes[0], Relieve) and changes[0].effective == until


def test_a_file_without_positions_leaves_them_as_they_are() -> None:
    assert plan(loaded(), DesiredDirectory(units=BASE.units)) == []


def test_a_unit_whose_kind_changes_or_that_would_reopen_is_refused() -> None:
    d = applied(
        loaded(), plan(loaded(), replaced(BASE, DesiredUnit(**{**_fields(SOCIAL), "closed": DAY})))
    )
    want = replaced(
        BASE, DesiredUnit(id="ugkh", kind=UnitKind.SECTOR, name="Управление ЖКХ", parent_id="city")
    )
    with pytest.raises(PlanRefused) as refused:
        plan(d, want)
    assert [p.split(":")[0] for p in refused.value.problems] == ["unit ugkh", "unit s-soc"]


def _fields(item: DesiredUnit | DesiredPosition) -> dict[str, Any]:
    return msgspec.structs.asdict(item)


def test_an_email_in_the_file_is_set_once_and_one_absent_keeps_the_recorded_one() -> None:
    mailed = DesiredPerson(id="p-1", name="Сидоров Пётр Ильич", email="sidorov@city.example.ru")
    want = DesiredDirectory(units=BASE.units, people=(mailed,), positions=BASE.positions)
    assert ops(plan(loaded(), want)) == [("SetEmail", "p-1")]
    d = loaded(want)
    assert d.email_of("p-1") == "sidorov@city.example.ru"
    assert plan(d, want) == []
    assert plan(d, BASE) == []  # no e-mail in the file: the recorded one stays
