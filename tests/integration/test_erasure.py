"""The demonstration of issue 18: a citizen with three appeals (the same phone), attachments and a
sent answer is erased; then a pg_dump of the whole database, an audit export, the attachments'
folder, the outbox view, the erasure journal and the captured logs hold their name, phone and
e-mail nowhere; the chain verifies INTACT before and after; the views the ratings and reports
read, and the ratings themselves, are identical before and after, and so is a clean rebuild."""

from __future__ import annotations

import gzip
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest

from domain.appeals import commands as cmd
from domain.appeals.vocabulary import Channel, Kind
from domain.attachments.media import AttachmentKind
from domain.privacy.erasure import ErasureGround
from domain.ratings.methodology import Scope
from domain.ratings.score import parse_period
from infra.audit.export import export
from infra.audit.verification import verify_database
from infra.container import Container
from infra.database import ConnectionInfo
from infra.privacy.backup import dump_sql
from tests.support.appeals import ASSIGN, CATEGORISE, OPERATOR, SECURITY, receive
from tests.support.mail import Mailbox, smtp_server
from tests.support.outbox import answer, outbox_container, outbox_database, settle

pytestmark = pytest.mark.integration
# the test servers' municipality: a month or a day is theirs, not UTC's (from 21:00 UTC
# Moscow is already in the next day)
MOSCOW = ZoneInfo("Europe/Moscow")
NAME, SURNAME = "Кузнецова Марина Олеговна", "Кузнецова"
PHONES = ("+7 913 222-33-44", "8 (913) 222-33-44", "+79132223344")
EMAIL = "kuznetsova.marina@example.org"
# what must not be found, in every form a dump can hold it
NEEDLES = (NAME, SURNAME, EMAIL, "9132223344", "222-33-44", "913) 222")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
VIEWS = ("appeals", "sla", "department_days")  # what the ratings and reports read


def hits(blob: bytes) -> list[str]:
    """The needles found in ``blob``: as UTF-8 text and as the hex a dump shows bytea in."""
    found = []
    for needle in NEEDLES:
        raw = needle.encode()
        if raw in blob or raw.hex().encode() in blob.lower():
            found.append(needle)
    return found


@pytest.fixture(scope="module")
def world(
    db_server: ConnectionInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Container, ConnectionInfo, Mailbox, Path]]:
    data = tmp_path_factory.mktemp("erasure")
    with smtp_server() as (mailbox, port), outbox_database(db_server) as info:
        env = {
            "OTKLIK_SMTP_HOST": "127.0.0.1",
            "OTKLIK_SMTP_PORT": str(port),
            "OTKLIK_MAIL_FROM": "mcu@ensk.example.org",
            "OTKLIK_OUTBOX_BACKOFF": "0",
            "OTKLIK_DATA_DIR": str(data),
            "OTKLIK_ATTACHMENTS_DIR": str(data / "attachments"),
        }
        with outbox_container(info, **env) as container:
            yield container, info, mailbox, data


def citizen_appeal(container: Container, phone: str, n: int) -> uuid.UUID:
    contact = cmd.CitizenContactInput(full_name=NAME, phone=phone, email=EMAIL)
    text = f"Обращение {n}. Я, {NAME}, прошу убрать мусор у дома. Звоните: {phone}, {EMAIL}"
    app = container.appeals
    appeal = app.receive(
        receive(Kind.APPEAL, Channel.EMAIL, citizen=contact, text=text),
        actor=OPERATOR,
        idempotency=None,
    ).state.id
    for command in (cmd.RegisterAppeal(), CATEGORISE, ASSIGN):
        app.handle(appeal, command, actor=OPERATOR)
    scan = PDF + f"% {NAME} {phone} {EMAIL} {n}\n".encode()
    container.attachments.add(appeal, [scan], AttachmentKind.SCAN, actor=OPERATOR)
    return appeal


def view_sums(container: Container) -> dict[str, dict[str, str]]:
    engine = container.engine
    found = {}
    for name in VIEWS:
        build = engine.active(name)
        assert build is not None
        found[name] = engine.checksums(build)
    return found


def rating_units(container: Container) -> object:
    book = container.methodologies
    v1 = book.methodology("v1")
    assert v1 is not None
    period = parse_period(f"{datetime.now(MOSCOW):%Y-%m}")
    return container.ratings.rating(v1, period, Scope.DEPARTMENT, as_reported=True).units


def pg_dump(info: ConnectionInfo, target: Path) -> bytes:
    dump_sql(info, target)
    return target.read_bytes()


def test_an_erased_citizen_is_found_nowhere_and_the_chain_and_figures_stand(
    world: tuple[Container, ConnectionInfo, Mailbox, Path],
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    container, info, mailbox, data = world
    assert container.privacy is not None
    appeals = [citizen_appeal(container, phone, n) for n, phone in enumerate(PHONES, 1)]
    other = citizen_appeal_of_another(container)
    answer(container.appeals, appeals[0], f"Уважаемая {NAME}! Мусор вывезен.")
    settle(container)
    assert mailbox.to(EMAIL), "the answer reached the citizen"
    assert hits(pg_dump(info, tmp_path / "before.sql")), "the dump can find what it looks for"
    assert verify_database(info.conninfo).report.ok
    sums, units = view_sums(container), rating_units(container)
    subject = container.privacy.subject_of(appeals[0])
    assert {container.privacy.subject_of(a) for a in appeals} == {subject}

    erased = container.privacy.erase(
        subject_id=subject, ground=ErasureGround.CITIZEN_REQUEST, actor=SECURITY
    )
    settle(container)

    assert set(erased.appeal_ids) == set(appeals)
    report = verify_database(info.conninfo).report
    assert report.ok, report.findings  # INTACT: not a byte of the log changed
    dump = pg_dump(info, tmp_path / "after.sql")
    assert hits(dump) == []
    count, _ = export(info.conninfo, tmp_path / "log.jsonl.gz")
    assert count > 0
    assert hits(gzip.decompress((tmp_path / "log.jsonl.gz").read_bytes())) == []
    files = [p for p in (data / "attachments").rglob("*") if p.is_file()]
    assert files, "the other citizen's file is still kept"
    assert all(hits(p.read_bytes()) == [] for p in files)
    assert not any((data / "attachments" / "sealed" / str(a)).exists() for a in appeals)
    assert (data / "attachments" / "sealed" / str(other)).is_dir()
    assert hits((data / "erasures.journal").read_bytes()) == []
    with psycopg.connect(info.conninfo) as conn:
        rows = conn.execute(
            "SELECT recipient, subject, body FROM outbox_messages WHERE appeal_id = ANY(%s)",
            (appeals,),
        ).fetchall()
        keys = conn.execute(
            "SELECT count(*) FROM privacy_data_keys WHERE subject_id = %s", (subject,)
        ).fetchone()
    assert rows and all(r[0] is None and "удалены" in r[2] for r in rows)
    assert keys == (0,)
    out, err = capfd.readouterr()
    assert hits((out + err).encode()) == []
    # the figures stand, and a clean rebuild gives the same rows
    assert view_sums(container) == sums
    assert rating_units(container) == units
    engine = container.engine
    for name in (*VIEWS, "outbox_messages"):
        live = engine.active(name)
        assert live is not None
        (rebuilt,), _ = engine.rebuild([name], resume=False)
        assert engine.checksums(rebuilt) == engine.checksums(live), name
    # the other citizen's data is untouched
    head = container.appeals.events_of(other)[0]
    assert "Иванов" in getattr(head, "text", "")


def citizen_appeal_of_another(container: Container) -> uuid.UUID:
    contact = cmd.CitizenContactInput(full_name="Иванов Иван", phone="+7 900 000-00-01")
    app = container.appeals
    appeal = app.receive(
        receive(Kind.APPEAL, Channel.EMAIL, citizen=contact, text="Иванов: яма на дороге"),
        actor=OPERATOR,
        idempotency=None,
    ).state.id
    for command in (cmd.RegisterAppeal(), CATEGORISE, ASSIGN):
        app.handle(appeal, command, actor=OPERATOR)
    container.attachments.add(appeal, [PDF + b"% other\n"], AttachmentKind.SCAN, actor=OPERATOR)
    return appeal
