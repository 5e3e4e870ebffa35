"""`otklik projections …`: the read models' builds: status, the worker, rebuilds, dropping."""

from __future__ import annotations

import contextlib
import sys
import time
from multiprocessing.process import BaseProcess
from typing import Annotated

import typer

from infra.cli.support import container_session

projections_app = typer.Typer(help="Read models built from the event log.", no_args_is_help=True)


@projections_app.command("status")
def projections_status() -> None:
    """Each build of each view and reactor: position, head, lag, events/s, state, error."""
    from rich.console import Console
    from rich.table import Table

    with container_session() as container:
        table = Table(
            "projection",
            "kind",
            "build",
            "active",
            "state",
            "position",
            "lag",
            "lag s",
            "events/s",
            "error",
        )
        for s in container.engine.status():
            table.add_row(
                s.name,
                s.kind + (f", ticked {s.ticked_at:%H:%M:%S}" if s.ticked_at else ""),
                f"v{s.version}" + (f"/{s.generation}" if s.generation > 1 else ""),
                "yes" if s.active else "",
                s.state,
                f"{s.position:,}/{s.head:,}",
                f"{s.lag_events:,}",
                f"{s.lag_seconds:.1f}",
                f"{s.events_per_second:,.0f}",
                f"at {s.error_position}: {s.error}" if s.error else "",
            )
        Console(width=160).print(table)


@projections_app.command("run")
def projections_run(
    lane: Annotated[
        str | None,
        typer.Option(
            help="Run one lane only: foreground (the views and awaited reactors), background"
            " (the redaction copies, masked by a worker at nice 19) or all (both in this"
            " process). Default: the foreground here and the background in a child process,"
            " restarted should it end."
        ),
    ] = None,
) -> None:
    """Run the projections as a worker (one active runner per build across machines)."""
    from infra.projection_lanes import mask_in_niced_worker, respawn_dead, spawn_lane, stop_lanes
    from projections.engine.reactor import LANES, Lane

    if lane is not None and lane not in LANES:
        typer.echo(f"--lane: one of {', '.join(LANES)}", err=True)
        raise typer.Exit(2)
    with container_session() as container:
        masking = mask_in_niced_worker(container) if lane == "background" else None
        children: dict[Lane, BaseProcess] = {}
        if lane is None:
            children["background"] = spawn_lane(container.settings, container.info, "background")
        try:
            container.engine.start(lane=lane or "foreground")
            typer.echo("projections running; Ctrl-C stops them", err=True)
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(5)
                    respawn_dead(container.settings, container.info, children)
        finally:
            stop_lanes(list(children.values()))
            if masking is not None:
                masking.close()


@projections_app.command("rebuild")
def projections_rebuild(
    names: Annotated[list[str] | None, typer.Argument(help="Projections (default: all).")] = None,
    fresh: Annotated[
        bool, typer.Option(help="Start a new build even if an unfinished one exists.")
    ] = False,
    processes: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Worker processes, one build each (default: the cores, at most 4);"
            " 1 runs every build in one shared pass over the log.",
        ),
    ] = None,
) -> None:
    """Build projections afresh beside the live ones, in one pass over the log, and switch reads
    to them once caught up (zero downtime). An interrupted rebuild resumes where it stopped."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from infra.rebuild import default_processes, rebuild
    from projections.engine.runner import HandlerFailed
    from projections.engine.runner import Progress as Done

    with container_session(migrate=True) as container:
        engine = container.engine
        engine.ensure()
        # every view by default; a reactor only by name (a new build resumes where it stood)
        chosen = names or list(engine.projections)
        known = [*engine.projections, *engine.reactors]
        for name in chosen:
            if name not in known:
                raise typer.BadParameter(
                    f"no projection or reactor named {name!r}; there are: {', '.join(known)}"
                )
        bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:>10,.0f} events/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            disable=not sys.stderr.isatty(),
        )
        task = bar.add_task(", ".join(chosen), total=None, rate=0.0)
        last_line = [time.monotonic()]

        def show(p: Done) -> None:
            bar.update(task, completed=p.position - p.start, total=p.head - p.start, rate=p.rate)
            if bar.disable and time.monotonic() - last_line[0] > 2:
                last_line[0] = time.monotonic()
                left = (p.head - p.position) / p.rate if p.rate else 0.0
                typer.echo(
                    f"{p.position - p.start:,}/{p.head - p.start:,} events,"
                    f" {p.rate:,.0f} events/s, ETA {left:.0f} s",
                    err=True,
                )

        try:
            with bar:
                builds, done = rebuild(
                    container,
                    chosen,
                    resume=not fresh,
                    processes=processes or default_processes(),
                    on_progress=show,
                )
        except RuntimeError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(1) from None
        except HandlerFailed as failed:  # its message names the error's class, never a value
            typer.echo(f"{failed}; it stays there until repaired: docs/recovery.md", err=True)
            raise typer.Exit(1) from None
        labels = ", ".join(b.label for b in builds)
        typer.echo(
            f"{labels}: {done.events:,} events in {done.seconds:.1f} s"
            f" ({done.rate:,.0f} events/s); "
            + ("reads switched to the new build" if done.activated else "not yet switched")
        )


@projections_app.command("drop")
def projections_drop(
    name: str,
    version: int,
    generation: Annotated[int, typer.Option(help="Which build of the version.")] = 1,
) -> None:
    """Drop a retired build's tables (the active build is refused)."""
    from projections.engine.model import Build

    with container_session() as container:
        try:
            container.engine.drop(Build(name, version, generation))
        except (KeyError, ValueError) as error:
            raise typer.BadParameter(str(error).strip("'\"")) from None
        typer.echo(f"dropped {Build(name, version, generation).label}")
