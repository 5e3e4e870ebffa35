"""The projections' lanes (issue 19): `otklik projections run` runs the views and the awaited
reactors in its own process and the background reactors (the redaction copies) in a child
process whose masking runs in a worker at nice 19; each lane runs its builds only; a lane that
dies is started again; the child and its worker go with the parent, stopped or killed."""

from __future__ import annotations

import contextlib
import glob
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
from infra.redaction.niced import NICE
from projections.engine.reactor import in_lane
from tests.conftest import TEST_MASTER_KEY, own_database
from tests.support.appeals import OPERATOR, receive
from tests.support.own_postgres import alive

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
        stderr=None if os.environ.get("DEBUG_LANES") else subprocess.DEVNULL,
    )


def _children(pid: int) -> list[int]:
    """``pid``'s children, whichever of its threads started them (``/proc``'s ``children`` file
    lists each thread's own)."""
    found: list[int] = []
    for tasks in glob.glob(f"/proc/{pid}/task/*/children"):
        with contextlib.suppress(FileNotFoundError), open(tasks) as file:
            found += [int(p) for p in file.read().split()]
    return found


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


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            return file.read().replace(b"\0", b" ").decode(errors="replace")
    except FileNotFoundError:
        return ""


def _spawned(parent: int) -> list[int]:
    """``parent``'s living children that multiprocessing spawned (not its resource tracker)."""
    return [
        pid
        for pid in _children(parent)
        if alive(pid) and "spawn_main" in (line := _cmdline(pid)) and "resource_tracker" not in line
    ]


def _lane_child(worker: subprocess.Popen[bytes]) -> int:
    """The worker's background lane: its one spawned child."""

    def one() -> int | None:
        found = _spawned(worker.pid)
        return found[0] if len(found) == 1 else None

    pid: int = _until(one)
    return pid


def _nice(pid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, pid)


def _masking_worker(lane: int) -> int:
    """The lane's masking worker (started on its first text): spawned by it, at nice 19."""
    pid: int = _until(lambda: next(iter(_spawned(lane)), None))
    return pid


def test_the_worker_runs_both_lanes_and_its_background_lane_is_niced_and_goes_with_it(
    lanes_db: tuple[Container, ConnectionInfo],
) -> None:
    container, info = lanes_db
    worker = _worker(info)
    try:
        child = _lane_child(worker)
        result = container.appeals.receive(
            receive(Kind.MESSAGE, Channel.POS), actor=OPERATOR, idempotency=None
        )
        # the views (this process) and the copies (the child) both reach the appeal
        _until(lambda: _position(info, "appeals") >= result.position)
        _until(lambda: _position(info, "redaction") >= result.position)
        # the lanes run at the worker's priority; only the masking is niced
        assert _nice(child) == _nice(worker.pid) == _nice(0)
        masking = _masking_worker(child)
        assert _nice(masking) == NICE
        os.kill(child, signal.SIGKILL)  # the lane crashed: the worker starts it again
        crashed = child

        def replaced() -> int | None:
            pid = _lane_child(worker)
            return pid if pid != crashed else None

        child = _until(replaced)
        again = container.appeals.receive(
            receive(Kind.MESSAGE, Channel.POS), actor=OPERATOR, idempotency=None
        )
        _until(lambda: _position(info, "redaction") >= again.position)
        masking = _masking_worker(child)
        worker.send_signal(signal.SIGTERM)  # stopped: its lane and the masking go with it
        worker.wait(30)
        _until(lambda: not alive(child), 15)
        _until(lambda: not alive(masking), 15)  # and the masking worker with the lane
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(30)

    worker = _worker(info)
    try:
        child = _lane_child(worker)
        worker.send_signal(signal.SIGKILL)  # killed: the orphan sees its parent gone and exits
        worker.wait(30)
        _until(lambda: not alive(child), 15)
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
        assert _spawned(worker.pid) == []  # no background lane, no masking worker
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    background = _worker(info, "--lane", "background")
    try:
        _until(lambda: _position(info, "redaction") >= result.position)
        assert _nice(background.pid) == _nice(0)
        assert _nice(_masking_worker(background.pid)) == NICE
    finally:
        background.send_signal(signal.SIGTERM)
        background.wait(30)


def test_an_unknown_lane_is_refused(lanes_db: tuple[Container, ConnectionInfo]) -> None:
    env = {**os.environ, "DATABASE_URL": lanes_db[1].url(), "OTKLIK_MASTER_KEY": TEST_MASTER_KEY}
    done = subprocess.run(
        [sys.executable, "-m", "infra.cli", "projections", "run", "--lane", "sideways"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "--lane: one of all, foreground, background" in done.stderr
