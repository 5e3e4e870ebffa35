"""Retention (issue 18): the reactor erases, exactly once, the personal data of the appeals whose
period by the schedule has ended, passes over the ones a legal hold keeps until the hold is
lifted, and the report shows what expires next; the schedule is the administrator's file."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.appeals import commands as cmd
from domain.appeals.vocabulary import Channel, Kind, Outcome
from domain.privacy.erasure import ErasureGround, PersonalDataErased
from domain.shared.errors import Forbidden, RuleViolated
from infra.container import Container
from infra.database import ConnectionInfo
from infra.retention.wiring import Retention
from projections.retention import expiring
from tests.support.appeals import OPERATOR, SECURITY, receive
from tests.support.outbox import outbox_container, outbox_database, settle

pytestmark = pytest.mark.integration
# the test servers' municipality: a month or a day is theirs, not UTC's (from 21:00 UTC
# Moscow is already in the next day)
MOSCOW = ZoneInfo("Europe/Moscow")
NAME = "Смирнов Аркадий Петрович"
SCHEDULE = """
[default]
years = 5
basis = "ст. 154 Перечня: 5 лет ЭПК"
[kinds.call]
years = 1
basis = "звонки: 1 год (проверка)"
"""
TODAY = datetime.now(MOSCOW).date()


@pytest.fixture(scope="module")
def world(
    db_server: ConnectionInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Container]:
    data = tmp_path_factory.mktemp("retention")
    schedule = data / "schedule.toml"
    schedule.write_text(SCHEDULE, encoding="utf-8")
    with outbox_database(db_server) as info:
        env = {"OTKLIK_DATA_DIR": str(data), "OTKLIK_RETENTION_SCHEDULE": str(schedule)}
        with outbox_container(info, **env) as container:
            yield container


def closed(container: Container, kind: Kind, channel: Channel, n: int) -> uuid.UUID:
    contact = cmd.CitizenContactInput(full_name=NAME, phone=f"+7 913 000-00-{n:02d}")
    app = container.appeals
    text = f"{NAME}, телефон +7 913 000-00-{n:02d}: не вывозят мусор"
    received = app.receive(
        receive(kind, channel, citizen=contact, text=text), actor=OPERATOR, idempotency=None
    )
    appeal = received.state.id
    app.handle(appeal, cmd.RegisterAppeal(), actor=OPERATOR)
    app.handle(appeal, cmd.CloseAppeal(outcome=Outcome.WITHDRAWN), actor=OPERATOR)
    return appeal


def erasures(container: Container) -> list[PersonalDataErased]:
    with container.pool.connection() as conn:
        rows = conn.execute(
            "SELECT originator_id FROM otklik_events WHERE topic LIKE 'PersonalDataErased%%'"
        ).fetchall()
    found = []
    for (stream,) in rows:
        found += [
            e.event
            for e in container.appeals.handler.read(PersonalDataErased, stream)
            if isinstance(e.event, PersonalDataErased)
        ]
    return found


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def wired(container: Container) -> Retention:
    assert container.retention is not None
    return container.retention


def test_expired_appeals_are_erased_once_and_a_hold_keeps_one_until_lifted(
    world: Container,
) -> None:
    container = world
    retention = wired(container)
    call = closed(container, Kind.CALL, Channel.PHONE, 1)
    held_call = closed(container, Kind.CALL, Channel.PHONE, 2)
    appeal = closed(container, Kind.APPEAL, Channel.EMAIL, 3)
    open_call = container.appeals.receive(
        receive(Kind.CALL, Channel.PHONE, text="открытый звонок"), actor=OPERATOR, idempotency=None
    ).state.id
    retention.holds.place(held_call, "дело № А40-1/2027", SECURITY)
    settle(container)
    # calls keep their data one year from the 1st of January after closing; appeals five
    call_expires = date(TODAY.year + 2, 1, 1)
    report = expiring(
        container.pool,
        retention.schedule(),
        call_expires,
        date(TODAY.year + 2, 2, 1),
        container.settings.timezone,
    )
    assert {c.appeal_id for c in report} == {call, held_call}
    assert all(c.expires_on == call_expires for c in report)

    reactor = retention.reactor
    assert reactor.tick(at(date(TODAY.year + 1, 12, 31))) == 0  # the day before: nothing
    assert reactor.tick(at(call_expires)) == 1
    assert reactor.tick(at(call_expires)) == 0  # exactly once
    settle(container)
    done = erasures(container)
    assert [(e.appeal_ids, e.ground) for e in done] == [((call,), ErasureGround.RETENTION)]
    erased_text = container.appeals.state(call).text
    assert NAME not in erased_text and "удалены" in erased_text
    assert NAME in container.appeals.state(held_call).text  # the hold keeps it
    assert NAME in container.appeals.state(appeal).text  # five years: not yet

    with pytest.raises(RuleViolated):
        retention.holds.place(held_call, "второе дело", SECURITY)
    with pytest.raises(Forbidden):
        retention.holds.lift(held_call, "решение вступило в силу", OPERATOR)
    retention.holds.lift(held_call, "решение вступило в силу", SECURITY)
    assert reactor.tick(at(call_expires)) == 1
    assert reactor.tick(at(date(TODAY.year + 6, 1, 1))) == 1  # the appeal's five years
    assert reactor.tick(at(date(TODAY.year + 60, 1, 1))) == 0  # the open call is never due
    settle(container)
    assert sorted(str(e.appeal_ids) for e in erasures(container)) == sorted(
        str((a,)) for a in (call, held_call, appeal)
    )
    assert NAME not in container.appeals.state(appeal).text
    assert container.appeals.state(open_call).closed_at is None


def test_a_schedule_counting_from_closing_and_a_broken_one(
    world: Container, tmp_path: Path
) -> None:
    retention = wired(world)
    path = tmp_path / "closing.toml"
    path.write_text('[default]\nyears = 2\nbasis = "b"\ncounts_from = "closing"\n')
    schedule = Retention(holds=retention.holds, reactor=retention.reactor, path=path).schedule()
    assert schedule.expires_on(Kind.APPEAL, TODAY).year == TODAY.year + 2
