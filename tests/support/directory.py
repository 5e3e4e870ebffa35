"""The test databases' directory and rubricator: the units and people the tests name (by id, or
by the names they used before the directory, which resolve to these units), and the topics they
categorise by (by code, or by name)."""

from __future__ import annotations

from typing import Any

import msgspec

from domain.organisation.book import DirectoryBook
from domain.organisation.commands import ChangeDirectory
from domain.rubricator.book import RubricatorBook
from domain.rubricator.commands import PublishRubricator
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
    "stary": ("Отдел старых записей", ()),  # tests/integration/test_directory_old_events.py
    "vremya": ("Отдел деловых дат", ()),
    "ocenki": ("Отдел оценок", ()),  # tests/api/test_rating_page_api.py: the citizen's scores
    "reiting": ("Отдел рейтинга", ()),  # tests/api/test_ratings_api.py: fewer than 10 appeals
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
        # work e-mails (issue 17): escalations and the daily brief reach them
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


# The topics the tests categorise by: municipal codes of the test rubricator under one section.
TOPICS = {
    "M.90": ("ЖКХ", None),
    "M.91": ("Вывоз ТКО", "M.90"),
    "M.92": ("Освещение", None),
    "M.93": ("Благоустройство", None),
    "M.02": ("Ямы на дорогах", None),  # as in the shipped file (the synthetic long life's topic)
}


def load_test_rubricator(book: RubricatorBook) -> None:
    """Record the test rubricator, in force since 2000."""
    if book.rubricator().rubrics:
        return
    changes: list[dict[str, Any]] = [
        {"op": "add", "code": "0005", "name": "Жилищно-коммунальная сфера", "level": "section"}
    ]
    for code, (name, parent) in TOPICS.items():
        level = "topic" if parent else "theme"
        changes.append(
            {
                "op": "add",
                "code": code,
                "name": name,
                "level": level,
                "parent": parent or "0005",
                "source": "municipal",
            }
        )
    changes.append({"op": "route", "code": "M.90", "unit_id": "ugkh"})
    command = msgspec.convert(
        {"changes": changes, "label": "Тестовый рубрикатор", "effective_from": "2000-01-01"},
        PublishRubricator,
    )
    book.publish(command, actor=LOADER)
