"""`otklik sla …`: the deadline watcher, run once or as a worker."""

from __future__ import annotations

import contextlib
import os
import time
from typing import Annotated

import typer

from infra.cli.support import container_session

sla_app = typer.Typer(help="Deadlines: the watcher.", no_args_is_help=True)


@sla_app.command("watch")
def sla_watch(
    interval: Annotated[
        float | None,
        typer.Option(help="Seconds between two scans (default: OTKLIK_WATCHER_INTERVAL, 30)."),
    ] = None,
    once: Annotated[bool, typer.Option(help="Scan once and exit.")] = False,
) -> None:
    """Record deadline breaches and their escalations as deadlines pass (any number of watchers
    may run: each breach is recorded once). The watcher is a reactor on the projection engine:
    without --once this runs the engine (as `otklik projections run` does)."""
    if interval is not None:  # read by the settings when the engine registers the watcher
        os.environ["OTKLIK_WATCHER_INTERVAL"] = str(interval)
    with container_session() as container:
        if once:
            breaches = container.watcher.scan() + container.watcher.scan_claims()
            typer.echo(f"{breaches} breaches recorded")
            return
        container.engine.start()
        typer.echo("deadline watcher running (with the projections); Ctrl-C stops it", err=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
