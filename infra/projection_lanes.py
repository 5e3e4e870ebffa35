"""The processes the projections run in (issue 19): the foreground lane — the views and the
reactors something waits on — and the background lane — the reactors marked ``background`` (the
redaction copies: CPU-bound masking that nobody waits on) — each a process of its own, the
background one at a lower CPU priority (``nice``). Under a storm of appeals the kernel gives the
views, the requests and PostgreSQL the cores first; the copies catch up when the storm passes.
One runner per build across processes (the engine's advisory locks), so a lane may also run on
another machine (``otklik projections run --lane background``)."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import time
from multiprocessing.process import BaseProcess

from infra.container import Container
from infra.database import ConnectionInfo
from infra.db_waits import until_reachable
from infra.logging import configure
from infra.settings import Settings
from projections.engine.reactor import Lane

BACKGROUND_NICE = 19  # the lowest nice: ~1.5 % of a contended core against a process at 0


def lower_priority() -> None:
    """This process at the lowest CPU priority: nice 19 and, on Linux, the SCHED_IDLE policy
    (it runs when a core would otherwise idle: ~0.3 % of a contended core)."""
    os.nice(BACKGROUND_NICE - os.nice(0))
    idle = getattr(os, "SCHED_IDLE", None)
    if idle is not None:
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, idle, os.sched_param(0))


def run_lane(settings: Settings, info: ConnectionInfo, lane: Lane, parent: int) -> None:
    """Run ``lane``'s builds until the process is stopped, or its parent ``parent`` is gone (a
    spawned process's target: an orphaned lane would keep its builds' locks from the next run)."""
    configure(settings.log_level, settings.log_format)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="lane-parent").start()
    if lane == "background":
        lower_priority()
    container = Container.build(settings, info)
    try:
        until_reachable(lambda: container.engine.start(lane=lane), "projections.start")
        threading.Event().wait()
    finally:
        container.close()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def spawn_lane(settings: Settings, info: ConnectionInfo, lane: Lane) -> BaseProcess:
    """``lane`` in a spawned daemon process (spawned, not forked: the parent may hold threads)."""
    process = multiprocessing.get_context("spawn").Process(
        target=run_lane,
        args=(settings, info, lane, os.getpid()),
        daemon=True,
        name=f"otklik-{lane}",
    )
    process.start()
    return process


def stop_lanes(processes: list[BaseProcess]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(10)
