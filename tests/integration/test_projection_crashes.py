"""Exactly-once under crashes: worker processes are killed with SIGKILL at random moments, many
times, while they rebuild the views from 100,000 events and while they follow a log that grows;
afterwards every table equals, row for row, a clean rebuild from the same log.

The random moments come from OTKLIK_CRASH_SEED (printed on failure) so a run can be replayed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.appeals import commands as cmd
from infra import database
from infra.container import Container
from infra.database import ConnectionInfo
from infra.demo import synthetic
from infra.settings import Settings
from projections.engine.model import Build
from tests.conftest import TEST_KEY
from tests.support.appeals import OPERATOR, receive
from tests.support.engines import before_the_directory

pytestmark = pytest.mark.integration
EVENTS = 100_000
SEED = int(os.environ.get("OTKLIK_CRASH_SEED", str(time.time_ns() % 10**6)))
NAMES = ["appeals", "department_days"]
# The worker's reactors that append: the outbox queues a message for each act that must reach
# someone (the synthetic appeals' confirmations and answers), its delivery records the attempts.
REACTORS = ["outbox", "outbox_delivery", "redaction"]  # issue 18: the redacted copies


@pytest.fixture(scope="module")
def crash_db(db_server: ConnectionInfo) -> Iterator[ConnectionInfo]:
    """A database of its own with a log of 100,000 events."""
    name = f"otklik_crash_{uuid.uuid4().hex[:10]}"
    info = database.create_database(db_server, name)
    database.upgrade(info)
    container = Container.build(Settings.from_env({"DATABASE_URL": info.url(), **TEST_KEY}), info)
    try:
        synthetic.load(container.appeals, EVENTS, now=datetime(2026, 11, 1, tzinfo=UTC))
    finally:
        container.close()
    try:
        yield info
    finally:
        database.drop_database(db_server, name)


@pytest.fixture
def crash_container(crash_db: ConnectionInfo) -> Iterator[Container]:
    container = Container.build(
        Settings.from_env({"DATABASE_URL": crash_db.url(), **TEST_KEY}), crash_db
    )
    try:
        yield container
    finally:
        container.close()


def otklik(info: ConnectionInfo, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": info.url(),
        "OTKLIK_LOG_LEVEL": "warning",
        "OTKLIK_PROJECTION_BATCH": "2000",  # many commits per rebuild: many places to die
    }
    return subprocess.Popen(
        [sys.executable, "-m", "infra.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for_a_still_head(engine: Any) -> None:
    """Every build at the head of the log, and the head still there afterwards: the worker's
    reactors (the deadline watcher) may append while the views catch up, and a build compared
    short of the head differs from the clean rebuild by what it has not read yet."""
    for _ in range(20):
        head = engine.head()
        for name in [*NAMES, *REACTORS]:  # the reactors too: their commands grow the log
            engine.wait_for(name, head, timeout=120)
        if engine.head() == head:
            return
    raise AssertionError("the log kept growing while the builds caught up")


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(30)


def assert_same_as_a_clean_rebuild(container: Container, builds: dict[str, Build]) -> None:
    engine = container.engine
    clean, progress = engine.rebuild(NAMES, resume=False)
    assert progress.activated
    for build in clean:
        crashed = builds[build.name]
        assert engine.checksums(crashed) == engine.checksums(build), (
            f"{crashed.label} differs from a clean rebuild (OTKLIK_CRASH_SEED={SEED})"
        )


def building_positions(container: Container) -> dict[str, int]:
    engine = container.engine
    builds = [b for b in (engine.building(n) for n in NAMES) if b is not None]
    return {b.name: p for b, p in engine.positions(builds).items()}


def test_a_rebuild_killed_at_random_moments_ends_identical_to_a_clean_one(
    crash_db: ConnectionInfo, crash_container: Container
) -> None:
    engine = crash_container.engine
    engine.catch_up_all()
    head = engine.head()
    assert head >= EVENTS
    rng = random.Random(SEED)
    kills, mid_build = 0, 0
    process = otklik(crash_db, "projections", "rebuild", *NAMES, "--fresh", "--processes", "1")
    try:
        for attempt in range(8):
            if attempt in (1, 4):
                # early: during start-up or the registration of the new builds
                time.sleep(rng.uniform(0.05, 0.8))
            else:
                # once the build passes a random position: inside a batch or between two
                before = min(building_positions(crash_container).values(), default=0)
                target = before + rng.randrange(1, max(2, (head - before) // 5))
                deadline = time.monotonic() + 120
                while process.poll() is None and time.monotonic() < deadline:
                    if min(building_positions(crash_container).values(), default=0) >= target:
                        break
                    time.sleep(0.005)
            if process.poll() is not None:
                break
            kill(process)
            kills += 1
            if any(0 < p < head for p in building_positions(crash_container).values()):
                mid_build += 1
            process = otklik(crash_db, "projections", "rebuild", *NAMES, "--processes", "1")
        assert process.wait(300) == 0
    finally:
        if process.poll() is None:
            kill(process)
    assert kills >= 6 and mid_build >= 4, f"{kills} kills, {mid_build} mid-build (seed {SEED})"
    finished = {name: engine.active(name) for name in NAMES}
    for name, build in finished.items():
        assert build is not None and build.generation > 1, name
    assert_same_as_a_clean_rebuild(crash_container, {n: b for n, b in finished.items() if b})


def test_a_live_worker_killed_at_random_moments_applies_every_event_once(
    crash_db: ConnectionInfo, crash_container: Container
) -> None:
    engine = crash_container.engine
    engine.catch_up_all()
    app = crash_container.appeals
    rng = random.Random(SEED + 1)
    stop = threading.Event()
    written: list[int] = []

    def write() -> None:
        with before_the_directory(app):  # names, as before the directory (one writer thread)
            _write()

    def _write() -> None:
        while not stop.is_set():
            r = app.receive(receive(), actor=OPERATOR, idempotency=None)
            app.handle(r.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
            department: Any = rng.choice(["Управление ЖКХ", "Управление дорог"])
            written.append(
                app.handle(
                    r.state.id, cmd.AssignAppeal(department=department), actor=OPERATOR
                ).position
            )

    writer = threading.Thread(target=write)
    writer.start()
    kills = 0
    worker: subprocess.Popen[bytes] | None = None
    try:
        for _ in range(6):
            worker = otklik(crash_db, "projections", "run")
            time.sleep(rng.uniform(1.2, 3.0))
            kill(worker)
            kills += 1
    finally:
        stop.set()
        writer.join()
        if worker is not None and worker.poll() is None:
            kill(worker)
    assert kills == 6 and len(written) > 50
    worker = otklik(crash_db, "projections", "run")
    try:
        wait_for_a_still_head(engine)
    finally:
        worker.terminate()
        worker.wait(30)
    live = {name: engine.active(name) for name in NAMES}
    assert_same_as_a_clean_rebuild(crash_container, {n: b for n, b in live.items() if b})
