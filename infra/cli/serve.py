"""`otklik serve`: the API under granian, with the projections and the deadline watcher in
processes of their own (the foreground and the background lane)."""

from __future__ import annotations

import os
import shutil
from multiprocessing.process import BaseProcess
from typing import Annotated

import typer

from infra import database
from infra.cli.support import database_session
from infra.container import Container
from infra.database import ConnectionInfo
from infra.metrics_dir import share_metrics
from infra.projection_lanes import spawn_lane, stop_lanes
from infra.settings import DATABASE_URL_VARIABLE, Settings


def serve_api(settings: Settings, info: ConnectionInfo, host: str, port: int, workers: int) -> None:
    """Serve until stopped: granian's workers, and the background process beside them."""
    from granian import Granian
    from granian.constants import Interfaces

    os.environ[DATABASE_URL_VARIABLE] = info.url()
    metrics_folder = share_metrics(settings.data_dir)
    container = Container.build(settings, info)
    try:
        container.seed_calendar()
    finally:
        container.close()
    # Granian forks its workers from this process: it must hold no threads then (a lock held by
    # a thread at the fork stays locked in the child forever). The projections and the deadline
    # watcher run in spawned child processes instead: the foreground lane and, at a lower CPU
    # priority, the background lane (``infra/projection_lanes.py``).
    lanes: list[BaseProcess] = []
    if settings.projections_in_process:
        lanes = [spawn_lane(settings, info, lane) for lane in ("foreground", "background")]
    try:
        Granian(
            "infra.asgi:create_app",
            factory=True,
            address=host,
            port=port,
            interface=Interfaces.ASGI,
            workers=workers,
            log_enabled=False,
        ).serve()
    finally:
        stop_lanes(lanes)
        shutil.rmtree(metrics_folder, ignore_errors=True)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int | None, typer.Option(help="ASGI worker processes.")] = None,
    migrate: Annotated[bool, typer.Option(help="Apply migrations first.")] = True,
) -> None:
    """Serve the API under granian, with the projections running in-process."""
    with database_session() as (settings, info):
        if migrate:
            database.upgrade(info)
        serve_api(settings, info, host, port, workers or settings.workers)
