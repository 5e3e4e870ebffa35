"""The re-timer under crashes: a worker running the projections and reactors is killed with
SIGKILL at random moments, many times, while it re-times thousands of open appeals after a
calendar correction; afterwards each appeal was re-timed exactly once and the reactor's position
equals the head of the log.

The random moments come from OTKLIK_CRASH_SEED (printed on failure) so a run can be replayed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest

from domain.appeals import commands as cmd
from domain.appeals.decide import decide
from domain.appeals.events import AppealEvent
from domain.appeals.vocabulary import Channel, Kind
from domain.sla.book import CorrectDay
from domain.sla.calendar import DayKind
from infra import database
from infra.container import Container
from infra.database import ConnectionInfo
from infra.settings import Settings
from tests.conftest import TEST_KEY
from tests.support.appeals import CURATOR, OPERATOR, receive

pytestmark = pytest.mark.integration
APPEALS = 3000
SEED = int(os.environ.get("OTKLIK_CRASH_SEED", str(time.time_ns() % 10**6)))
RETIMED = "SELECT count(*) FROM otklik_events WHERE topic LIKE 'DeadlinesRetimed%%'"


def open_appeals(container: Container, count: int, chunk: int = 500) -> list[uuid.UUID]:
    """``count`` incidents received and registered now, unanswered: each answer deadline (seven
    working days) spans the next working days. Decided by the appeal's rules, appended in bulk."""
    app = container.appeals
    now = datetime.now(UTC)
    ids: list[uuid.UUID] = []
    pending: list[AppealEvent] = []
    for n in range(count):
        appeal_id = uuid.uuid4()
        received = decide(
            None,
            receive(Kind.INCIDENT, Channel.VK),
            actor=OPERATOR,
            now=now,
            policy=app.policy,
            appeal_id=appeal_id,
        )
        state = app.decider.evolve(None, received[0])
        number = f"ИНЦ-{now.year}/К{n:06d}"
        registered = decide(
            state,
            cmd.RegisterAppeal(registration_number=number),
            actor=OPERATOR,
            now=now,
            policy=app.policy,
        )
        pending += [*received, *registered]
        ids.append(appeal_id)
        if len(pending) >= chunk:
            app.save_events(pending)
            pending = []
    if pending:
        app.save_events(pending)
    return ids


@pytest.fixture(scope="module")
def crash_db(db_server: ConnectionInfo) -> Iterator[tuple[ConnectionInfo, list[uuid.UUID]]]:
    """A database of its own with thousands of open appeals, the views caught up."""
    name = f"otklik_crash_{uuid.uuid4().hex[:10]}"
    info = database.create_database(db_server, name)
    database.upgrade(info)
    container = Container.build(Settings.from_env({"DATABASE_URL": info.url(), **TEST_KEY}), info)
    try:
        container.seed_calendar()
        ids = open_appeals(container, APPEALS)
        container.engine.catch_up_all()
    finally:
        container.close()
    try:
        yield info, ids
    finally:
        database.drop_database(db_server, name)


def worker(info: ConnectionInfo) -> subprocess.Popen[bytes]:
    """``otklik projections run``: the views and the reactors, live."""
    env = {**os.environ, "DATABASE_URL": info.url(), "OTKLIK_LOG_LEVEL": "warning"}
    return subprocess.Popen(
        [sys.executable, "-m", "infra.cli", "projections", "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(30)


def scalar(conn: psycopg.Connection[Any], query: str) -> int:
    row = conn.execute(query).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def retimer_position(conn: psycopg.Connection[Any]) -> int:
    """The position of the re-timer's active build, read from the engine's own tables."""
    return scalar(
        conn,
        "SELECT position FROM projection_builds WHERE name = 'retimer' AND active",
    )


def day_inside_the_spans(container: Container) -> date:
    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/Moscow")).date()
    return container.calendar.calendar().add_working_days(today, 3)


def test_the_retimer_killed_at_random_moments_retimes_each_appeal_exactly_once(
    crash_db: tuple[ConnectionInfo, list[uuid.UUID]],
) -> None:
    info, ids = crash_db
    rng = random.Random(SEED)
    container = Container.build(Settings.from_env({"DATABASE_URL": info.url(), **TEST_KEY}), info)
    try:
        correction = CorrectDay(
            day=day_inside_the_spans(container),
            kind=DayKind.DAY_OFF,
            note="Внеплановый выходной",
            reason="Проверка пересчёта при сбоях",
        )
        container.calendar.correct(correction, actor=CURATOR)
    finally:
        container.close()
    kills = 0
    with psycopg.connect(info.conninfo, autocommit=True) as conn:
        process = worker(info)
        try:
            for _attempt in range(6):
                done = scalar(conn, RETIMED)
                target = done + rng.randrange(1, max(2, (APPEALS - done) // 4))
                deadline = time.monotonic() + 120
                while process.poll() is None and time.monotonic() < deadline:
                    if scalar(conn, RETIMED) >= target:
                        break
                    time.sleep(0.005)
                if scalar(conn, RETIMED) >= APPEALS:
                    break
                kill(process)
                kills += 1
                process = worker(info)
            deadline = time.monotonic() + 300
            head = scalar(conn, "SELECT max(notification_id) FROM otklik_events")
            while time.monotonic() < deadline:
                head = scalar(conn, "SELECT max(notification_id) FROM otklik_events")
                if retimer_position(conn) == head and scalar(conn, RETIMED) >= APPEALS:
                    break
                time.sleep(0.1)
        finally:
            kill(process)
        print(f"re-timer: {kills} kills, {APPEALS} appeals (OTKLIK_CRASH_SEED={SEED})")
        assert kills >= 3, f"only {kills} kills landed mid-way (OTKLIK_CRASH_SEED={SEED})"
        rows = conn.execute(
            "SELECT originator_id, count(*) FROM otklik_events"
            " WHERE topic LIKE 'DeadlinesRetimed%%' GROUP BY originator_id"
        ).fetchall()
        counts = {row[0]: row[1] for row in rows}
        assert set(counts) == set(ids), f"appeals missed or extra (OTKLIK_CRASH_SEED={SEED})"
        twice = [appeal for appeal, n in counts.items() if n != 1]
        assert not twice, f"{len(twice)} appeals re-timed twice (OTKLIK_CRASH_SEED={SEED})"
        assert retimer_position(conn) == scalar(
            conn, "SELECT max(notification_id) FROM otklik_events"
        )
