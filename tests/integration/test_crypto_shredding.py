"""Crypto-shredding (issue 18): personal fields are stored sealed, read back through the keyring,
the same citizen is one subject across appeals, and an erasure leaves placeholders, no key and a
chain that verifies unchanged."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
import psycopg
import pytest

from domain.appeals import commands as cmd
from domain.appeals.events import AnswerDrafted, AppealReceived
from domain.appeals.vocabulary import Channel, Kind
from domain.privacy.erasure import ErasureGround, PersonalDataErased
from domain.privacy.fields import UNKNOWN_ERASURE
from domain.shared.actors import Actor, Role
from domain.shared.errors import Forbidden, NotFound
from infra.audit.verification import verify_database
from infra.container import Container
from infra.database import ConnectionInfo
from infra.event_codec import decode_event, topic_of
from infra.privacy.erasure import _destroy
from infra.privacy.keyring import Keyring
from infra.privacy.master import MasterKey
from infra.privacy.rotation import rotate
from tests.conftest import own_database
from tests.support.appeals import ASSIGN, CATEGORISE, OPERATOR, SECURITY, receive

pytestmark = pytest.mark.integration
NAME, PHONE, EMAIL = "Сидорова Анна Ильинична", "+7 912 345-67-89", "sidorova.a@example.org"


@pytest.fixture(scope="module")
def shred(db_server: ConnectionInfo) -> Iterator[tuple[Container, ConnectionInfo]]:
    with own_database(db_server, "shred") as pair:
        yield pair


def received(container: Container, phone: str, email: str | None = None) -> UUID:
    contact = cmd.CitizenContactInput(full_name=NAME, phone=phone, email=email)
    text = f"Я, {NAME}, прошу починить фонарь у дома. Мой телефон {phone}."
    result = container.appeals.receive(
        receive(Kind.APPEAL, Channel.EMAIL, citizen=contact, text=text),
        actor=OPERATOR,
        idempotency=None,
    )
    return result.state.id


def stored(info: ConnectionInfo, stream: UUID) -> list[bytes]:
    with psycopg.connect(info.conninfo) as conn:
        rows = conn.execute(
            "SELECT state FROM otklik_events WHERE originator_id = %s ORDER BY originator_version",
            (stream,),
        ).fetchall()
    return [bytes(r[0]) for r in rows]


def digest(info: ConnectionInfo, upto: int | None = None) -> tuple[int, str]:
    """The last position and a digest of the stored bytes up to it."""
    with psycopg.connect(info.conninfo) as conn:
        rows = conn.execute(
            "SELECT notification_id, state FROM otklik_events"
            " WHERE notification_id <= coalesce(%s, notification_id) ORDER BY notification_id",
            (upto,),
        ).fetchall()
    return int(rows[-1][0]), hashlib.sha256(b"".join(bytes(r[1]) for r in rows)).hexdigest()


def test_personal_fields_are_stored_sealed_and_read_back_in_clear(
    shred: tuple[Container, ConnectionInfo],
) -> None:
    container, info = shred
    appeal = received(container, PHONE, EMAIL)
    for command in (cmd.RegisterAppeal(), CATEGORISE, ASSIGN):
        container.appeals.handle(appeal, command, actor=OPERATOR)
    container.appeals.handle(appeal, cmd.DraftAnswer(text=f"Уважаемая {NAME}!"), actor=OPERATOR)
    raw = b"".join(stored(info, appeal))
    for secret in (NAME, PHONE, EMAIL, "Сидорова"):
        assert secret.encode() not in raw
    assert b'"sealed"' in raw
    first = container.appeals.events_of(appeal)[0]
    assert isinstance(first, AppealReceived) and first.citizen is not None
    assert (first.citizen.full_name, first.citizen.phone) == (NAME, PHONE)
    assert NAME in first.text


def test_the_same_phone_written_differently_is_one_subject(
    shred: tuple[Container, ConnectionInfo],
) -> None:
    container, _ = shred
    assert container.privacy is not None
    one = received(container, "+7 (912) 000-11-22")
    two = received(container, "89120001122", "other@example.org")
    three = received(container, "+7 999 000-00-00")
    assert container.privacy.subject_of(one) == container.privacy.subject_of(two)
    assert container.privacy.subject_of(one) != container.privacy.subject_of(three)


def test_only_the_security_administrator_erases(shred: tuple[Container, ConnectionInfo]) -> None:
    container, _ = shred
    assert container.privacy is not None
    appeal = received(container, "+7 912 555-55-55")
    with pytest.raises(Forbidden):
        container.privacy.erase(
            appeal_id=appeal, ground=ErasureGround.CITIZEN_REQUEST, actor=OPERATOR
        )
    with pytest.raises(NotFound):
        container.privacy.erase(
            appeal_id=UUID(int=7), ground=ErasureGround.CITIZEN_REQUEST, actor=SECURITY
        )


def test_an_erasure_leaves_placeholders_no_keys_and_the_chain_intact(
    shred: tuple[Container, ConnectionInfo],
) -> None:
    container, info = shred
    assert container.privacy is not None
    first = received(container, "+7 912 777-88-99")
    second = received(container, "8 912 777 88 99")
    for appeal in (first, second):
        for command in (cmd.RegisterAppeal(), CATEGORISE, ASSIGN):
            container.appeals.handle(appeal, command, actor=OPERATOR)
        container.appeals.handle(appeal, cmd.DraftAnswer(text=f"Уважаемая {NAME}!"), actor=OPERATOR)
    container.engine.catch_up_all()
    assert verify_database(info.conninfo).report.ok
    last, before = digest(info)
    subject = container.privacy.subject_of(first)

    erased = container.privacy.erase(
        subject_id=subject, ground=ErasureGround.CITIZEN_REQUEST, actor=SECURITY
    )

    assert isinstance(erased, PersonalDataErased)
    assert set(erased.appeal_ids) == {first, second} and erased.keys == 2
    today = datetime.now(ZoneInfo("Europe/Moscow")).strftime(
        "%d.%m.%Y"
    )  # the zone erasures date in
    for appeal in (first, second):
        events = container.appeals.events_of(appeal)
        head = events[0]
        assert isinstance(head, AppealReceived) and head.citizen is not None
        assert head.citizen.phone is None and head.citizen.email is None
        assert head.text.startswith("[персональные данные удалены ")
        assert head.citizen.full_name == head.text
        assert "требование субъекта" in head.text and today[:2] in head.text
        drafted = [e for e in events if isinstance(e, AnswerDrafted)]
        assert drafted[0].text == head.text
    with psycopg.connect(info.conninfo) as conn:
        keys = conn.execute(
            "SELECT count(*) FROM privacy_data_keys WHERE subject_id = %s", (subject,)
        ).fetchone()
    assert keys == (0,)
    container.engine.catch_up_all()
    after = verify_database(info.conninfo).report
    assert after.ok, after.findings
    assert digest(info, last) == (last, before)  # not one stored byte changed
    with pytest.raises(NotFound):  # nothing is left to erase
        container.privacy.erase(
            subject_id=subject, ground=ErasureGround.CITIZEN_REQUEST, actor=SECURITY
        )


READER = """
import sys, uuid
import psycopg
from infra import db_bounds
from infra.database import ConnectionInfo
from infra.db_waits import Outage
from infra.event_codec import decode_event, topic_of
from infra.privacy.wiring import build_keyring
from infra.settings import Settings

settings = Settings.from_env()
info = ConnectionInfo.parse(settings.database_url)
keyring = build_keyring(settings, info, db_bounds.request_limits(settings, Outage()))
with psycopg.connect(info.conninfo) as conn:
    topic, state = conn.execute(
        "SELECT topic, state FROM otklik_events WHERE originator_id = %s"
        " AND originator_version = 1", (uuid.UUID(sys.argv[1]),)
    ).fetchone()
for _ in range(2):
    print(decode_event(topic, bytes(state), keyring).citizen.full_name, flush=True)
    sys.stdin.readline()
"""


def test_another_process_with_the_key_cached_opens_nothing_once_the_erasure_returns(
    shred: tuple[Container, ConnectionInfo],
) -> None:
    container, info = shred
    assert container.privacy is not None
    appeal = received(container, "+7 912 444-00-11")
    env = {**os.environ, "DATABASE_URL": info.url(), "OTKLIK_LOG_LEVEL": "warning"}
    with subprocess.Popen(
        [sys.executable, "-c", READER, str(appeal)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as reader:
        assert reader.stdin is not None and reader.stdout is not None
        assert reader.stdout.readline().strip() == NAME  # opened, and its key now cached
        container.privacy.erase(appeal_id=appeal, ground=ErasureGround.RETENTION, actor=SECURITY)
        reader.stdin.write("\n")
        reader.stdin.flush()
        after = reader.stdout.readline().strip()
        reader.stdin.write("\n")
        reader.stdin.flush()
    assert after.startswith("[персональные данные удалены ") and "срока хранения" in after


def test_a_rotated_master_key_opens_what_the_old_one_sealed(
    shred: tuple[Container, ConnectionInfo],
) -> None:
    container, info = shred
    appeal = received(container, "+7 912 600-70-80")
    old = container.keyring
    assert old is not None
    new = MasterKey(b"n" * 32)
    with psycopg.connect(info.conninfo) as conn:
        assert rotate(conn, old.master, new) >= 1
    try:
        fresh = Keyring(old.pool, new)
        with psycopg.connect(info.conninfo) as conn:
            row = conn.execute(
                "SELECT topic, state FROM otklik_events WHERE originator_id = %s"
                " AND originator_version = 1",
                (appeal,),
            ).fetchone()
        assert row is not None
        head = decode_event(str(row[0]), bytes(row[1]), fresh)
        assert isinstance(head, AppealReceived) and head.citizen is not None
        assert head.citizen.full_name == NAME
        with pytest.raises(RuntimeError, match="another master key"):
            decode_event(str(row[0]), bytes(row[1]), Keyring(old.pool, old.master))
    finally:
        with psycopg.connect(info.conninfo) as conn:
            rotate(conn, new, old.master)  # the module's other tests go on with the old key
        old.forget()


def test_an_erasure_interrupted_before_its_event_is_recorded_when_run_again(
    shred: tuple[Container, ConnectionInfo],
) -> None:
    container, _ = shred
    service = container.privacy
    assert service is not None
    appeal = received(container, "+7 912 808-90-10")
    with service.keyring.pool.connection() as conn, conn.transaction():
        carried = _destroy(
            conn, appeal, None, ErasureGround.RETENTION, datetime.now(UTC).date(), SECURITY
        )  # the keys went, then the process died

    event = service.erase(appeal_id=appeal, ground=ErasureGround.RETENTION, actor=SECURITY)

    assert event.erasure_id == carried.erasure_id and event.appeal_ids == (appeal,)
    with pytest.raises(NotFound):
        service.erase(appeal_id=appeal, ground=ErasureGround.RETENTION, actor=SECURITY)


def test_the_retention_batch_erases_each_appeal_once_and_passes_over_the_erased(
    shred: tuple[Container, ConnectionInfo],
) -> None:
    container, _ = shred
    service = container.privacy
    assert service is not None
    first, second = received(container, "+7 912 111-00-01"), received(container, "+7 912 111-00-02")
    retention = Actor(id="retention", role=Role.SYSTEM, name="Сроки хранения")
    done = service.erase_appeals([first, second], ground=ErasureGround.RETENTION, actor=retention)
    assert [e.appeal_ids for e in done] == [(first,), (second,)]
    assert service.erase_appeals([first], ground=ErasureGround.RETENTION, actor=retention) == []


def test_a_sealed_value_moved_to_another_stream_does_not_open(
    shred: tuple[Container, ConnectionInfo],
) -> None:
    container, info = shred
    one, two = received(container, "+7 912 121-21-21"), received(container, "+7 912 131-31-31")
    first, second = (
        msgspec.json.decode(stored(info, one)[0]),
        msgspec.json.decode(stored(info, two)[0]),
    )
    second["text"] = first["text"]  # same subject's key even: the AAD names the stream
    topic = topic_of(AppealReceived)
    forged = decode_event(topic, msgspec.json.encode(second), container.keyring)
    assert forged.text == UNKNOWN_ERASURE
    assert forged.citizen.phone == "+7 912 131-31-31"
