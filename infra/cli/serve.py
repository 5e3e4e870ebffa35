"""`otklik serve`: the API under granian, with the projections and the deadline watcher in a
process of their own."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import threading
from typing import Annotated

import typer

from infra import database
from infra.cli.support import database_session
from infra.container import Container
from infra.database import ConnectionInfo
from infra.db_waits import until_reachable
from infra.logging import configure
from infra.metrics_dir import share_metrics
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
    # watcher run in a spawned child process instead.
    background: multiprocessing.process.BaseProcess | None = None
    if settings.projections_in_process:
        background = multiprocessing.get_context("spawn").Process(
            target=_run_background, args=(settings, info), daemon=True, name="otklik-projections"
        )
        background.start()
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
        if background is not None:
            background.terminate()
            background.join(10)
        shutil.rmtree(metrics_folder, ignore_errors=True)


def _run_background(settings: Settings, info: ConnectionInfo) -> None:
    """The projections and the deadline watcher of `otklik serve`, in their own process."""
    configure(settings.log_level, settings.log_format)
    container = Container.build(settings, info)
    try:
        until_reachable(container.engine.start, "projections.start")  # the database may go away
        threading.Event().wait()
    finally:
        container.close()


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
