"""Loading the directory from the files an administrator keeps, into a real event store: only the
differences are appended, a dry run and a refused file append nothing, the formats agree, and the
demo's file gives every name the demo's data uses a unit."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest

from domain.organisation.directory import Directory
from domain.organisation.events import STREAM, Position
from domain.organisation.lookup import resolve
from domain.organisation.sync import plan
from infra import database
from infra.container import Container
from infra.database import ConnectionInfo
from infra.demo import catalogue, claims
from infra.organisation.files import read_directory
from infra.organisation.loading import Loaded, load, loader
from infra.organisation.rows import FileRefused
from infra.settings import Settings
from tests.support.directory_files import rows_of, write_csv, write_toml, write_xlsx

pytestmark = pytest.mark.integration
DEMO_FILE = Path(__file__).parents[2] / "infra" / "organisation" / "directory.toml"
ADMIN = loader("test-admin")
START = date(2024, 1, 1)


@pytest.fixture(scope="module")
def store(db_server: ConnectionInfo) -> Iterator[tuple[Container, ConnectionInfo]]:
    """A database of its own: the directory is one stream, and these tests start from none."""
    info = database.create_database(db_server, f"otklik_loader_{uuid.uuid4().hex[:10]}")
    database.upgrade(info)
    settings = Settings.from_env({"DATABASE_URL": info.url(), "OTKLIK_POOL_SIZE": "2"})
    container = Container.build(settings, info)
    try:
        load(container.directory, DEMO_FILE, actor=ADMIN, effective=START)
        yield container, info
    finally:
        container.close()
        database.drop_database(db_server, info.dbname)


def directory_events(info: ConnectionInfo) -> list[str]:
    with psycopg.connect(info.conninfo) as conn:
        rows = conn.execute(
            "SELECT topic FROM otklik_events WHERE originator_id = %s ORDER BY originator_version",
            (STREAM,),
        ).fetchall()
    return [str(topic).rsplit(":", 1)[-1] for (topic,) in rows]


def load_file(container: Container, path: Path, **options: object) -> Loaded:
    return load(container.directory, path, actor=ADMIN, **options)  # type: ignore[arg-type]


def renamed(tmp_path: Path, unit_id: str, name: str) -> Path:
    tables = rows_of(read_directory(DEMO_FILE))
    for row in tables["units"]:
        if row["id"] == unit_id:
            row["name"] = name
    return write_toml(tables, tmp_path / "renamed.toml")


def test_loading_the_same_file_twice_appends_nothing(
    store: tuple[Container, ConnectionInfo],
) -> None:
    container, info = store
    load_file(container, DEMO_FILE)
    before = directory_events(info)
    again = load_file(container, DEMO_FILE)
    assert again.changes == [] and not again.applied
    assert directory_events(info) == before


def test_one_unit_renamed_in_the_file_appends_one_unit_renamed(
    store: tuple[Container, ConnectionInfo], tmp_path: Path
) -> None:
    container, info = store
    load_file(container, DEMO_FILE)
    before = directory_events(info)
    loaded = load_file(container, renamed(tmp_path, "ublag", "Департамент благоустройства"))
    assert loaded.applied
    assert directory_events(info)[len(before) :] == ["UnitRenamed"]
    assert container.directory.directory().name_of("ublag") == "Департамент благоустройства"
    load_file(container, DEMO_FILE)  # back to the demo's names for the other tests


def test_a_dry_run_prints_the_plan_and_appends_nothing(
    store: tuple[Container, ConnectionInfo], tmp_path: Path
) -> None:
    container, info = store
    load_file(container, DEMO_FILE)
    before = directory_events(info)
    planned = load_file(container, renamed(tmp_path, "udh", "Дорожное управление"), dry_run=True)
    assert [type(c).__name__ for c in planned.changes] == ["RenameUnit"]
    assert not planned.applied
    assert directory_events(info) == before


def test_toml_csv_and_xlsx_of_the_same_directory_give_the_same_plan(
    store: tuple[Container, ConnectionInfo], tmp_path: Path
) -> None:
    container, _ = store
    tables = rows_of(read_directory(renamed(tmp_path, "ugkh", "Департамент ЖКХ")))
    files = [
        write_toml(tables, tmp_path / "directory.toml"),
        write_csv(tables, tmp_path / "csv", delimiter=";"),
        write_xlsx(tables, tmp_path / "directory.xlsx"),
    ]
    read = [read_directory(f) for f in files]
    assert read[1] == read[0] and read[2] == read[0]
    load_file(container, DEMO_FILE)
    recorded = container.directory.directory()
    plans = [plan(recorded, want) for want in read]
    assert plans[0] == plans[1] == plans[2] and len(plans[0]) == 1
    from_empty = [plan(Directory(), want) for want in read]
    assert from_empty[0] == from_empty[1] == from_empty[2]


def test_a_file_with_bad_rows_lists_every_error_and_appends_nothing(
    store: tuple[Container, ConnectionInfo], tmp_path: Path
) -> None:
    container, info = store
    tables = rows_of(read_directory(DEMO_FILE))
    tables["units"][3]["kind"] = "department"  # row 5 of the sheet: not a kind
    tables["units"][7]["parent_id"] = "nowhere"  # row 9: names no unit
    tables["people"][2]["name"] = "Иванов\tИван"  # row 4: a control character
    tables["positions"][0]["since"] = "31.02.2024"  # row 2: not a date
    before = directory_events(info)
    with pytest.raises(FileRefused) as refused:
        load_file(container, write_xlsx(tables, tmp_path / "bad.xlsx"))
    found = {(e.table, e.row, e.column) for e in refused.value.errors}
    assert found == {
        ("units", 5, "kind"),
        ("units", 9, "parent_id"),
        ("people", 4, "name"),
        ("positions", 2, "since"),
    }
    assert all("Иванов" not in str(e) and "nowhere" not in str(e) for e in refused.value.errors)
    assert directory_events(info) == before


def test_the_demo_file_gives_every_name_the_demo_data_uses_a_unit(
    store: tuple[Container, ConnectionInfo],
) -> None:
    container, _ = store
    load_file(container, DEMO_FILE)
    d = container.directory.directory()
    names = {
        *catalogue.SECTORS,
        *catalogue.SECTOR_OF,
        *claims.ANALYST_DEPARTMENTS.values(),
        *(unit for topics in catalogue.RUBRICATOR.values() for _, unit, _ in topics),
    }
    assert {name: resolve(d, name) for name in names if resolve(d, name) is None} == {}
    assert d.responsible_for("mbu-gorsvet") == "p-0002"
    assert d.holders("city", Position.CURATOR) == ["p-0002"]
    assert d.executor_unit("p-0020", date(2024, 6, 1)) == "ugkh"
