"""Test databases: each run creates its own database on DATABASE_URL's server, or on an embedded
PostgreSQL (pgserver) when DATABASE_URL is unset, migrates it, and drops it at the end."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from domain.appeals.application import AppealsApplication
from infra import database
from infra.container import Container
from infra.database import ConnectionInfo, EmbeddedPostgres
from infra.demo.directory import load_demo_directory
from infra.settings import Settings
from tests.support.directory import load_test_directory, load_test_rubricator

# issue 18: the tests' fixed master key (base64 of 32 bytes), never a deployment's
TEST_MASTER_KEY = "b3RrbGlrLXRlc3QtbWFzdGVyLWtleS0zMi1ieXRlcyE="
# the processes a test starts (`otklik serve`, the CLI) inherit it with the environment
os.environ.setdefault("OTKLIK_MASTER_KEY", TEST_MASTER_KEY)
TEST_KEY = {"OTKLIK_MASTER_KEY": TEST_MASTER_KEY}  # for a test's own settings


@pytest.fixture(scope="session")
def db_server() -> Iterator[ConnectionInfo]:
    url = os.environ.get("DATABASE_URL")
    if url:
        yield ConnectionInfo.parse(url)
        return
    folder = Path(tempfile.mkdtemp(prefix="otklik-test-pg-"))
    embedded = EmbeddedPostgres(folder)
    try:
        yield embedded.info
    finally:
        embedded.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def db(db_server: ConnectionInfo) -> Iterator[ConnectionInfo]:
    name = f"otklik_test_{uuid.uuid4().hex[:12]}"
    info = database.create_database(db_server, name)
    database.upgrade(info)
    try:
        yield info
    finally:
        database.drop_database(db_server, name)


@pytest.fixture(scope="session")
def settings(db: ConnectionInfo) -> Settings:
    return Settings.from_env(
        {"DATABASE_URL": db.url(), "OTKLIK_POOL_SIZE": "6", "OTKLIK_MASTER_KEY": TEST_MASTER_KEY}
    )


@pytest.fixture(scope="session")
def container(settings: Settings, db: ConnectionInfo) -> Iterator[Container]:
    built = Container.build(settings, db)
    built.seed_calendar()
    load_test_directory(built.directory)
    load_test_rubricator(built.rubricator)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture(scope="session")
def app(container: Container) -> AppealsApplication:
    return container.appeals


@pytest.fixture
def sql(db: ConnectionInfo) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(db.conninfo, autocommit=True) as conn:
        yield conn


@contextlib.contextmanager
def own_database(
    server: ConnectionInfo, prefix: str, *, demo: bool = False, rubricator: bool = True
) -> Iterator[tuple[Container, ConnectionInfo]]:
    """A migrated database of its own and its container (calendar and policy seeded), dropped
    afterwards: for tests whose figures or tampering must not meet the other tests' data."""
    info = database.create_database(server, f"otklik_{prefix}_{uuid.uuid4().hex[:10]}")
    database.upgrade(info)
    container = Container.build(
        Settings.from_env({"DATABASE_URL": info.url(), "OTKLIK_MASTER_KEY": TEST_MASTER_KEY}),
        info,
    )
    try:
        container.seed_calendar()
        if demo:  # the demo's administration, as `otklik demo` loads it
            load_demo_directory(container)
        else:
            load_test_directory(container.directory)
            if rubricator:  # (a test of loading the shipped rubricator starts without it)
                load_test_rubricator(container.rubricator)
        yield container, info
    finally:
        container.close()
        database.drop_database(server, info.dbname)


def event_count(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    """Events appended by people (the deadline watcher, a system actor, may write meanwhile)."""
    row = conn.execute(
        "SELECT count(*) FROM otklik_events"
        " WHERE convert_from(state, 'UTF8')::json->'actor'->>'role' <> 'system'"
    ).fetchone()
    assert row is not None
    return int(str(row[0]))


def utc_now() -> datetime:
    return datetime.now(UTC)
