"""Issue 18, part 6: a backup taken before an erasure and restored after it brings nothing back:
the erasure is replayed from the journal outside the database (and from the replaced database's
erasures), the keys are gone again, the contact reads as the placeholder, and the restored log
records the erasure."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from domain.appeals import commands as cmd
from domain.appeals.events import AppealReceived
from domain.appeals.vocabulary import Channel, Kind
from domain.privacy.erasure import ErasureGround, PersonalDataErased, PrivacyEvent
from domain.shared.actors import Actor, Role
from infra import database
from infra.container import Container
from infra.database import ConnectionInfo
from infra.privacy.backup import create_backup, restore_backup
from infra.privacy.journal import Journal
from infra.privacy.wiring import erasure_journal
from infra.settings import Settings
from tests.conftest import TEST_KEY
from tests.support.appeals import OPERATOR, SECURITY, receive
from tests.support.directory import load_test_directory, load_test_rubricator

pytestmark = pytest.mark.integration
RESTORER = Actor(id="restore", role=Role.SYSTEM, name="Восстановление")
NAME, PHONE = "Орлова Вера Петровна", "+7 914 101-20-30"


def settings_for(info: ConnectionInfo, data: Path) -> Settings:
    return Settings.from_env(
        {"DATABASE_URL": info.url(), "OTKLIK_DATA_DIR": str(data), "OTKLIK_POOL_SIZE": "3"}
        | TEST_KEY
    )


@pytest.fixture
def fresh(db_server: ConnectionInfo, tmp_path: Path) -> Iterator[tuple[ConnectionInfo, Path]]:
    info = database.create_database(db_server, f"otklik_backup_{uuid.uuid4().hex[:10]}")
    database.upgrade(info)
    try:
        yield info, tmp_path / "data"
    finally:
        database.drop_database(db_server, info.dbname)


def citizen(container: Container) -> uuid.UUID:
    contact = cmd.CitizenContactInput(full_name=NAME, phone=PHONE)
    return container.appeals.receive(
        receive(Kind.APPEAL, Channel.EMAIL, citizen=contact, text=f"{NAME}: нет воды"),
        actor=OPERATOR,
        idempotency=None,
    ).state.id


def keys_of(info: ConnectionInfo, appeal: uuid.UUID) -> int:
    with psycopg.connect(info.conninfo) as conn:
        row = conn.execute(
            "SELECT count(*) FROM privacy_data_keys WHERE appeal_id = %s", (appeal,)
        ).fetchone()
    return int(row[0]) if row else 0


def assert_erased(container: Container, appeal: uuid.UUID) -> None:
    head = container.appeals.events_of(appeal)[0]
    assert isinstance(head, AppealReceived) and head.citizen is not None
    assert head.citizen.phone is None and NAME not in head.text
    assert head.citizen.full_name == head.text and "удалены" in head.text


def test_a_backup_restored_elsewhere_after_an_erasure_keeps_it_erased(
    fresh: tuple[ConnectionInfo, Path], db_server: ConnectionInfo, tmp_path: Path
) -> None:
    info, data = fresh
    container = Container.build(settings_for(info, data), info)
    try:
        load_test_directory(container.directory)
        load_test_rubricator(container.rubricator)
        appeal = citizen(container)
        backup = tmp_path / "before.dump"
        create_backup(info, backup)
        assert container.privacy is not None
        subject = container.privacy.subject_of(appeal)
        container.privacy.erase(
            subject_id=subject, ground=ErasureGround.CITIZEN_REQUEST, actor=SECURITY
        )
    finally:
        container.close()
    # a new server: only the journal in the data dir knows of the erasure
    other = database.create_database(db_server, f"otklik_restored_{uuid.uuid4().hex[:10]}")
    try:
        journal = Journal(erasure_journal(settings_for(info, data)))
        restored = restore_backup(other, backup, journal)
        assert [e.subject_id for e in restored.replayed] == [subject]
        assert restored.keys_deleted == 1 and keys_of(other, appeal) == 0
        again = Container.build(settings_for(other, data), other)
        try:
            assert again.privacy is not None
            for entry in restored.replayed:
                again.privacy.record_again(entry, RESTORER)
            assert_erased(again, appeal)
            recorded = again.privacy.handler.read(PrivacyEvent, subject)
            assert isinstance(recorded[-1].event, PersonalDataErased)
        finally:
            again.close()
    finally:
        database.drop_database(db_server, other.dbname)


def test_the_restore_command_over_the_database_replays_its_erasures(
    fresh: tuple[ConnectionInfo, Path], tmp_path: Path
) -> None:
    info, data = fresh
    container = Container.build(settings_for(info, data), info)
    try:
        load_test_directory(container.directory)
        load_test_rubricator(container.rubricator)
        appeal, kept = citizen(container), citizen_of_another(container)
        backup = tmp_path / "before.dump"
        create_backup(info, backup)
        assert container.privacy is not None
        container.privacy.erase(
            appeal_id=appeal, ground=ErasureGround.CONSENT_WITHDRAWN, actor=SECURITY
        )
    finally:
        container.close()
    erasure_journal(settings_for(info, data)).unlink()  # the replaced database must suffice
    env = {**os.environ, "DATABASE_URL": info.url(), "OTKLIK_DATA_DIR": str(data)} | TEST_KEY
    run = subprocess.run(
        [sys.executable, "-m", "infra.cli", "backup", "restore", str(backup)],
        env={**env, "OTKLIK_LOG_LEVEL": "warning"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "1 erasure(s) replayed" in run.stdout
    assert keys_of(info, appeal) == 0 and keys_of(info, kept) == 1
    container = Container.build(settings_for(info, data), info)
    try:
        assert_erased(container, appeal)
        head = container.appeals.events_of(kept)[0]
        assert isinstance(head, AppealReceived) and "Иванов" in head.text
    finally:
        container.close()


def citizen_of_another(container: Container) -> uuid.UUID:
    contact = cmd.CitizenContactInput(full_name="Иванов И.", phone="+7 900 000-00-02")
    return container.appeals.receive(
        receive(Kind.APPEAL, Channel.EMAIL, citizen=contact, text="Иванов: яма"),
        actor=OPERATOR,
        idempotency=None,
    ).state.id
