"""The projections' lanes (issue 19): `otklik projections run` runs the views and the awaited
reactors in its own process and the background reactors (the redaction copies) in a child
process at a lower CPU priority; each lane runs its builds only; the child goes with its parent,
whether the parent is stopped or killed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from domain.appeals.vocabulary import Channel, Kind
from infra.container import Container
from infra.database import ConnectionInfo
from infra.projection_lanes import BACKGROUND_NICE
from projections.engine.reactor import in_lane
from tests.conftest import TEST_MASTER_KEY, own_database
from tests.support.appeals import OPERATOR, receive

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def lanes_db(db_server: ConnectionInfo) -> Iterator[tuple[Container, ConnectionInfo]]:
    with own_database(db_server, "lanes") as (container, info):
        container.engine.ensure()
        yield container, info


def test_the_background_lane_holds_the_redaction_copies_only(
    lanes_db: tuple[Container, ConnectionInfo],
) -> None:
    engine = lanes_db[0].engine
    declared = engine.registry.declared
    background = {name for name, d in declared.items() if in_lane(d, "background")}
    foreground = {name for name, d in declared.items() if in_lane(d, "foreground")}
    assert background == {"redaction"}
    assert foreground == set(declared) - background
    assert {"appeals", "deadline_watcher", "outbox"} <= foreground
    assert all(in_lane(d, "all") for d in declared.values())


def _worker(info: ConnectionInfo, *lane: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": info.url(),
        "OTKLIK_MASTER_KEY": TEST_MASTER_KEY,
        "OTKLIK_LOG_LEVEL": "warning",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "infra.cli", "projections", "run", *lane],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _children(pid: int) -> list[int]:
    with contextlib.suppress(FileNotFoundError):
        path = f"/proc/{pid}/task/{pid}/children"
        with open(path) as file:
            return [int(p) for p in file.read().split()]
    return []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().split(") ")[-1].split()[0] != "Z"  # a zombie is gone
    except FileNotFoundError:
        return False


def _until(check: Callable[[], Any], seconds: float = 60.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s")


def _position(info: ConnectionInfo, name: str) -> int:
    with psycopg.connect(info.conninfo, autocommit=True) as conn:
        row = conn.execute(
            "SELECT max(position) FROM projection_builds WHERE name = %s", (name,)
        ).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _lane_child(worker: subprocess.Popen[bytes]) -> int:
    """The worker's background lane: its one child that is a Python process (multiprocessing
    may also start a resource tracker, which is not niced)."""

    def niced() -> int | None:
        for pid in _children(worker.pid):
            with contextlib.suppress(ProcessLookupError):
                if os.getpriority(os.PRIO_PROCESS, pid) == BACKGROUND_NICE:
                    return pid
        return None

    pid: int = _until(niced)
    return pid


def test_the_worker_runs_both_lanes_and_its_background_lane_is_niced_and_goes_with_it(
    lanes_db: tuple[Container, ConnectionInfo],
) -> None:
    container, info = lanes_db
    worker = _worker(info)
    try:
        child = _lane_child(worker)
        assert os.getpriority(os.PRIO_PROCESS, worker.pid) == 0  # the views are not niced
        assert os.sched_getscheduler(child) == os.SCHED_IDLE  # runs when a core would idle
        assert os.sched_getscheduler(worker.pid) == os.SCHED_OTHER
        result = container.appeals.receive(
            receive(Kind.MESSAGE, Channel.POS), actor=OPERATOR, idempotency=None
        )
        # the views (this process) and the copies (the child) both reach the appeal
        _until(lambda: _position(info, "appeals") >= result.position)
        _until(lambda: _position(info, "redaction") >= result.position)
        worker.send_signal(signal.SIGTERM)  # stopped: the child is stopped with it
        worker.wait(30)
        _until(lambda: not _alive(child), 15)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(30)

    worker = _worker(info)
    try:
        child = _lane_child(worker)
        worker.send_signal(signal.SIGKILL)  # killed: the orphan sees its parent gone and exits
        worker.wait(30)
        _until(lambda: not _alive(child), 15)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(30)


def test_one_lane_runs_its_own_builds_only(lanes_db: tuple[Container, ConnectionInfo]) -> None:
    container, info = lanes_db
    worker = _worker(info, "--lane", "foreground")
    try:
        _until(lambda: _position(info, "appeals") >= container.engine.head())
        redaction_before = _position(info, "redaction")
        result = container.appeals.receive(
            receive(Kind.MESSAGE, Channel.POS), actor=OPERATOR, idempotency=None
        )
        _until(lambda: _position(info, "appeals") >= result.position)
        time.sleep(1.5)  # the foreground lane had time to run the copies, had it held them
        assert _position(info, "redaction") == redaction_before < result.position
        assert _children(worker.pid) == [] or all(
            os.getpriority(os.PRIO_PROCESS, pid) != BACKGROUND_NICE for pid in _children(worker.pid)
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    background = _worker(info, "--lane", "background")
    try:
        _until(lambda: _position(info, "redaction") >= result.position)
        assert os.getpriority(os.PRIO_PROCESS, background.pid) == BACKGROUND_NICE
    finally:
        background.send_signal(signal.SIGTERM)
        background.wait(30)


def test_an_unknown_lane_is_refused(lanes_db: tuple[Container, ConnectionInfo]) -> None:
    worker = _worker(lanes_db[1], "--lane", "sideways")
    assert worker.wait(60) == 2
