"""The test databases' directory: the units and people the tests name (by id, or by the names
they used before the directory, which resolve to these units)."""

from __future__ import annotations

from typing import Any

import msgspec

from domain.organisation.book import DirectoryBook
from domain.organisation.commands import ChangeDirectory
from domain.shared.actors import Actor, Role

LOADER = Actor(id="test-directory", role=Role.SYSTEM, name="Загрузка справочника")
UNITS = {
    "ugkh": ("Управление ЖКХ", ("ЖКХ",)),
    "ukult": ("Управление культуры", ("Культура",)),
    "prosrochki": ("Отдел просрочек", ()),
    "nepreryvnost": ("Отдел проверки непрерывности", ()),
    "sroki": ("Отдел проверки сроков", ()),
    "dva-vorkera": ("Отдел двух воркеров", ()),
    "kraya": ("Отдел краёв", ()),
    "chteniya": ("Отдел непрерывных чтений", ()),
    "sverka": ("Отдел сверки", ()),
    "otdel": ("Отдел", ()),
}


def changes() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [
        {"op": "create-unit", "unit_id": "city", "kind": "municipality", "name": "Тестовый город"},
        {
            "op": "create-unit",
            "unit_id": "s-test",
            "kind": "sector",
            "name": "Тестовый блок",
            "parent_id": "city",
        },
        {"op": "register-person", "person_id": "deputy", "name": "Заместитель Тестов"},
        {"op": "appoint", "person_id": "deputy", "unit_id": "s-test", "position": "deputy_head"},
        {"op": "register-person", "person_id": "curator", "name": "Куратор Тестов"},
        {"op": "appoint", "person_id": "curator", "unit_id": "city", "position": "curator"},
    ]
    for unit_id, (name, aliases) in UNITS.items():
        found.append(
            {
                "op": "create-unit",
                "unit_id": unit_id,
                "kind": "unit",
                "name": name,
                "parent_id": "s-test",
            }
        )
        found += [{"op": "add-alias", "unit_id": unit_id, "alias": a} for a in aliases]
    found += [
        {"op": "register-person", "person_id": "belova", "name": "Белова М. А."},
        {"op": "appoint", "person_id": "belova", "unit_id": "ugkh", "position": "executor"},
    ]
    return found


def load_test_directory(book: DirectoryBook) -> None:
    """Record the test directory, in effect since 2000 (the tests' business times go back far)."""
    if book.directory().units:
        return
    command = msgspec.convert({"changes": changes(), "effective": "2000-01-01"}, ChangeDirectory)
    book.change(command, actor=LOADER)
