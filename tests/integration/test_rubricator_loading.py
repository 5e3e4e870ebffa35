"""The rubricator file through the book and the event store: loaded into an empty store it
publishes one version; loaded again it appends nothing; one renamed entry appends one rename and
its version. A database of its own: the rubricator is one stream for the whole deployment."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from domain.rubricator.commands import PublishRubricator, RenameRubric
from domain.rubricator.events import (
    STREAM,
    RubricatorEvent,
    RubricatorVersionPublished,
    RubricRenamed,
)
from domain.shared.errors import VersionMismatch
from infra.container import Container
from infra.database import ConnectionInfo
from infra.organisation.rubricator import LOADER, RUBRICATOR_FILE, load_file
from tests.conftest import own_database

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def own(db_server: ConnectionInfo) -> Iterator[Container]:
    with own_database(db_server, "rubricator", rubricator=False) as (container, _info):
        yield container


def stored(c: Container) -> list[RubricatorEvent]:
    return [r.event for r in c.rubricator.handler.read(RubricatorEvent, STREAM)]


def test_the_file_loads_once_and_a_second_load_appends_nothing(own: Container) -> None:
    first = load_file(own.rubricator, LOADER)
    assert first is not None and first.version == 1
    count = len(stored(own))
    assert load_file(own.rubricator, LOADER) is None
    assert len(stored(own)) == count
    rubricator = own.rubricator.rubricator()
    assert rubricator.children(None) == ["0001", "0002", "0003", "0004", "0005"]
    assert rubricator.route("0003.0009.0097.0690") == "mbu-gorsvet"
    assert rubricator.route("0005.0005.0056.1154") == "ugkh"
    assert rubricator.route("M.02") == "udh"
    assert rubricator.resolve("Перебои в водоснабжении") == "0005.0005.0056.1154"


def test_one_renamed_entry_appends_one_rename_and_its_version(
    own: Container, tmp_path: Path
) -> None:
    load_file(own.rubricator, LOADER)  # whatever the order of the tests: the file is in
    before = len(stored(own))
    text = RUBRICATOR_FILE.read_text(encoding="utf-8")
    edited = tmp_path / "rubricator.toml"
    edited.write_text(
        text.replace('name = "Ямы на дорогах"', 'name = "Ямы и выбоины на дорогах"').replace(
            "effective_from = 2026-01-01", "effective_from = 2026-02-01"
        ),
        encoding="utf-8",
    )
    loaded = load_file(own.rubricator, LOADER, edited)
    assert loaded is not None
    appended = stored(own)[before:]
    assert [type(e) for e in appended] == [RubricRenamed, RubricatorVersionPublished]
    rubricator = own.rubricator.rubricator()
    assert rubricator.name_of("M.02") == "Ямы и выбоины на дорогах"
    assert rubricator.resolve("ямы на дорогах") == "M.02"  # the former name still resolves
    assert load_file(own.rubricator, LOADER, edited) is None


def test_a_publication_on_a_stale_version_is_refused(own: Container) -> None:
    if own.rubricator.rubricator().version == 0:  # run alone
        load_file(own.rubricator, LOADER)
    command = PublishRubricator(
        changes=(RenameRubric(code="M.08", name="Автобусы не по расписанию"),),
        label="Уточнение",
        effective_from=date(2026, 6, 1),
    )
    with pytest.raises(VersionMismatch):
        own.rubricator.publish(command, actor=LOADER, expected_version=0)
