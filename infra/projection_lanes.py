"""The processes the projections run in (issue 19): the foreground lane — the views and the
reactors something waits on — and the background lane — the reactors marked ``background`` (the
redaction copies, which nobody waits on) — each a process of its own. The background lane's
CPU-bound part, the masking, runs in a worker of its own at nice 19 (``infra/redaction/niced.py``):
under a storm of appeals the kernel gives the views, the requests and PostgreSQL the cores first
and the copies catch up when the storm passes, while no process that takes the event table's lock
runs at a low priority. One runner per build across processes (the engine's advisory locks), so a
lane may also run on another machine (``otklik projections run --lane background``)."""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.process import BaseProcess

import structlog

from infra.container import Container
from infra.database import ConnectionInfo
from infra.db_waits import until_reachable
from infra.logging import configure
from infra.orphans import a_child_of
from infra.redaction.niced import NicedMasking
from infra.settings import Settings
from projections.engine.reactor import Lane

log = structlog.get_logger("otklik.projections")


def mask_in_niced_worker(container: Container) -> NicedMasking | None:
    """The redaction reactor of ``container`` masks in a worker at nice 19 from now on (what a
    process running the background lane does before it starts the engine)."""
    if container.redaction is None:
        return None
    masking = NicedMasking()
    container.redaction.reactor.mask = masking
    return masking


def run_lane(settings: Settings, info: ConnectionInfo, lane: Lane, parent: int) -> None:
    """Run ``lane``'s builds until the process is stopped, or its parent ``parent`` is gone (a
    spawned process's target: an orphaned lane would keep its builds' locks from the next run)."""
    configure(settings.log_level, settings.log_format)
    # ``stop_lanes`` (SIGTERM) ends it at once, as a crash would (every build is exactly-once
    # under one); its masking worker sees its parent gone and follows
    a_child_of(parent)
    container = Container.build(settings, info)
    masking = mask_in_niced_worker(container) if lane == "background" else None
    try:
        until_reachable(lambda: container.engine.start(lane=lane), "projections.start")
        threading.Event().wait()
    finally:
        if masking is not None:
            masking.close()
        container.close()


def spawn_lane(settings: Settings, info: ConnectionInfo, lane: Lane) -> BaseProcess:
    """``lane`` in a spawned process (spawned, not forked: the parent may hold threads; not a
    daemon: a daemon may not start the masking worker). It goes with its parent: stopped by
    ``stop_lanes``, or by itself when the parent was killed (``exit_with_parent``)."""
    process = multiprocessing.get_context("spawn").Process(
        target=run_lane,
        args=(settings, info, lane, os.getpid()),
        daemon=False,
        name=f"otklik-{lane}",
    )
    process.start()
    return process


def respawn_dead(settings: Settings, info: ConnectionInfo, lanes: dict[Lane, BaseProcess]) -> None:
    """Start again a lane whose process ended (a crash, the out-of-memory killer): a worker
    that sleeps on while one of its lanes is gone would be a silent outage."""
    for lane, process in list(lanes.items()):
        if not process.is_alive():
            log.warning("projections.lane_restarted", lane=lane, exit_code=process.exitcode)
            lanes[lane] = spawn_lane(settings, info, lane)


def stop_lanes(processes: list[BaseProcess]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(10)
