"""`otklik sla …`: the deadline watcher, run once or as a worker."""

from __future__ import annotations

import contextlib
import time
from typing import Annotated

import typer

from infra.cli.support import container_session

sla_app = typer.Typer(help="Deadlines: the watcher.", no_args_is_help=True)


@sla_app.command("watch")
def sla_watch(
    interval: Annotated[float, typer.Option(help="Seconds between two scans.")] = 30.0,
    once: Annotated[bool, typer.Option(help="Scan once and exit.")] = False,
) -> None:
    """Record deadline breaches and their escalations as deadlines pass (any number of watchers
    may run: each breach is recorded once)."""
    with container_session() as container:
        container.watcher.interval = interval
        if once:
            typer.echo(f"{container.watcher.scan()} breaches recorded")
            return
        container.watcher.start()
        typer.echo("deadline watcher running; Ctrl-C stops it", err=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
