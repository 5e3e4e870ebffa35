"""The `otklik` command line: serve, migrate, load demo data, run projections, create tokens."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import sys
import threading
import time
from datetime import UTC, datetime
from typing import Annotated

import typer

from domain.shared.actors import Actor, Role
from domain.sla.calendar import DayKind
from infra import database
from infra.cli_audit import audit_app
from infra.cli_reports import report_app
from infra.cli_support import container_session, database_session
from infra.container import Container
from infra.database import ConnectionInfo
from infra.db_waits import until_reachable
from infra.logging import configure
from infra.metrics_dir import share_metrics
from infra.settings import DATABASE_URL_VARIABLE, Settings

app = typer.Typer(
    help="Otklik: the back end of a municipal control centre (МЦУ).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema (alembic).", no_args_is_help=True)
projections_app = typer.Typer(help="Read models built from the event log.", no_args_is_help=True)
token_app = typer.Typer(help="Bearer tokens for the API.", no_args_is_help=True)
sla_app = typer.Typer(help="Deadlines: the watcher.", no_args_is_help=True)
calendar_app = typer.Typer(
    help="The production calendar (versioned, in the event store).", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(calendar_app, name="calendar")
app.add_typer(sla_app, name="sla")
app.add_typer(projections_app, name="projections")
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")
app.add_typer(report_app, name="report")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration (creates the event store and the read models)."""
    with database_session() as (_, info):
        database.upgrade(info)
        typer.echo(f"database {info.dbname} at {database.head_revision()}")


@app.command()
def demo(
    appeals: Annotated[int, typer.Option(help="How many appeals to load.")] = 3000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 2026,
) -> None:
    """Load realistic demo data (written through the domain) into the database and exit."""
    from infra.demo.appeals import load_demo
    from infra.demo.claims import load_demo_claims

    with container_session(migrate=True) as container:
        container.seed_calendar()
        started = time.perf_counter()
        stats = load_demo(container.appeals, appeals, now=datetime.now(UTC), seed=seed)
        claims = load_demo_claims(container.claims, now=datetime.now(UTC), seed=seed)
        took = time.perf_counter() - started
        typer.echo(
            f"loaded {stats.appeals} appeals ({stats.events} events) and {claims} claims"
            f" in {took:.1f} s; by kind: {stats.by_kind}"
        )
        container.engine.catch_up_all()
        typer.echo("projections caught up")


DAY_WORDS = {
    DayKind.WORKING: "рабочий",
    DayKind.SHORTENED: "сокращённый",
    DayKind.WEEKEND: "выходной",
    DayKind.HOLIDAY: "праздник",
    DayKind.DAY_OFF: "выходной",
}
MONTHS = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
]


@calendar_app.command("seed")
def calendar_seed(
    years: Annotated[list[int] | None, typer.Argument(help="Years (default: last to +2).")] = None,
) -> None:
    """Record years of the Russian calendar from the holidays package (those not yet there)."""
    from infra import calendar_source

    with container_session(migrate=True) as container:
        chosen = years or calendar_source.default_years(datetime.now(UTC).date())
        calendar = calendar_source.seed(container.calendar, chosen)
        typer.echo(f"calendar {calendar.id} version {calendar.version}: years {calendar.years}")


@calendar_app.command("show")
def calendar_show(year: int) -> None:
    """The year month by month: working days, days off, shortened days, working hours."""
    from rich.console import Console
    from rich.table import Table

    with container_session() as container:
        calendar = container.calendar.calendar()
        console = Console(width=120)
        if year not in calendar.years:
            typer.echo(
                f"{year} is not in calendar {calendar.id} (version {calendar.version});"
                " run `otklik calendar seed {year}`",
                err=True,
            )
            raise typer.Exit(1)
        table = Table(
            "месяц",
            "дней",
            "рабочих",
            "выходных",
            "сокращённых",
            "часов",
            title=f"Производственный календарь {calendar.id} на {year} год,"
            f" версия {calendar.version}",
        )
        total = [0, 0, 0, 0, 0.0]
        for month in range(1, 13):
            m = calendar.month_summary(year, month)
            row = [m.calendar_days, m.working_days, m.days_off, m.shortened, m.working_hours]
            total = [a + b for a, b in zip(total, row, strict=True)]
            table.add_row(MONTHS[month - 1], *(f"{v:g}" for v in row))
        table.add_row("год", *(f"{v:g}" for v in total), style="bold")
        console.print(table)
        for day in calendar.exceptions:
            if day.day.year == year:
                console.print(f"{day.day:%d.%m.%Y}  {DAY_WORDS[day.kind]:<12}  {day.note}")


@calendar_app.command("set")
def calendar_set(
    day: Annotated[datetime, typer.Argument(formats=["%Y-%m-%d"], help="The day, YYYY-MM-DD.")],
    kind: Annotated[DayKind, typer.Argument(help="What the day becomes.")],
    reason: Annotated[str, typer.Option(help="Why (recorded on the event).")],
    note: Annotated[str, typer.Option(help="The day's name, e.g. «День Республики».")] = "",
    decree: Annotated[str | None, typer.Option(help="The act that decided it.")] = None,
    by: Annotated[str, typer.Option(help="Who corrects it (recorded as the actor).")] = "admin",
) -> None:
    """Correct one day of the calendar: a new calendar version, recorded as an event."""
    from domain.shared.errors import DomainError
    from domain.sla.book import CorrectDay

    with container_session() as container:
        try:
            calendar = container.calendar.correct(
                CorrectDay(day=day.date(), kind=kind, note=note, reason=reason, decree=decree),
                actor=Actor(id=f"cli:{by}", role=Role.ADMINISTRATOR, name=by),
            )
        except DomainError as error:
            typer.echo(error.message, err=True)
            raise typer.Exit(1) from None
        retimed = container.calendar_corrected(day.date(), reason)
        typer.echo(
            f"calendar {calendar.id} version {calendar.version}: {day:%d.%m.%Y} is {kind};"
            f" deadlines re-timed in {retimed} open appeal(s)"
        )


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


@token_app.command("create")
def token_create(
    role: Annotated[Role, typer.Option(help="The role the token acts in.")],
    name: Annotated[str, typer.Option(help="Who holds the token (recorded as the actor).")],
    department: Annotated[
        str | None, typer.Option(help="For executors: the department they act for.")
    ] = None,
) -> None:
    """Create a bearer token and print it once (only its hash is stored)."""
    with container_session() as container:
        try:
            token, actor = container.tokens.create(role=role, name=name, department=department)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from None
        typer.echo(token)
        typer.echo(f"# actor id {actor.id}, role {actor.role}", err=True)


@projections_app.command("status")
def projections_status() -> None:
    """Each build of each projection: position, head, lag, events/s, state, error."""
    from rich.console import Console
    from rich.table import Table

    with container_session() as container:
        table = Table(
            "projection",
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
def projections_run() -> None:
    """Run the projections as a worker (one active runner per build across machines)."""
    with container_session() as container:
        container.engine.start()
        typer.echo("projections running; Ctrl-C stops them", err=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


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
        chosen = names or list(engine.projections)
        for name in chosen:
            if name not in engine.projections:
                raise typer.BadParameter(
                    f"no projection named {name!r}; there are: {', '.join(engine.projections)}"
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


def _serve(settings: Settings, info: ConnectionInfo, host: str, port: int, workers: int) -> None:
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
        container.watcher.start()
        threading.Event().wait()
    finally:
        container.close()


@app.command()
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
        _serve(settings, info, host, port, workers or settings.workers)


@app.command("demo-session")
def demo_session(
    appeals: Annotated[int, typer.Option(help="How many appeals to load on first start.")] = 3000,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """What `make demo` runs: migrate, load demo data once, create a token, serve, print URLs."""
    from infra.demo.appeals import load_demo
    from infra.demo.claims import load_demo_claims

    with database_session() as (settings, info):
        database.upgrade(info)
        container = Container.build(settings, info)
        try:
            container.seed_calendar()
            if not container.has_appeals():
                typer.echo(f"loading {appeals} demo appeals…", err=True)
                stats = load_demo(container.appeals, appeals, now=datetime.now(UTC))
                claims = load_demo_claims(container.claims, now=datetime.now(UTC))
                typer.echo(
                    f"loaded {stats.appeals} appeals, {stats.events} events, {claims} claims",
                    err=True,
                )
            token, _ = container.tokens.create(role=Role.CURATOR, name="Демо: куратор МЦУ")
        finally:
            container.close()
        base = f"http://{host}:{port}"
        where = (
            info.dbname if settings.database_url else f"embedded PostgreSQL in {settings.data_dir}"
        )
        typer.echo(
            "\n".join(
                [
                    "",
                    "Otklik is starting.",
                    f"  API docs:     {base}/schema",
                    f"  OpenAPI:      {base}/schema/openapi.json",
                    f"  Health:       {base}/health/ready",
                    f"  Appeals:      curl -H 'Authorization: Bearer {token}' \\",
                    f"                  {base}/api/v1/appeals",
                    f"  Token (curator): {token}",
                    f"  Database:     {where}",
                    "Ctrl-C stops it.",
                    "",
                ]
            )
        )
        _serve(settings, info, host, port, settings.workers)


def main() -> None:  # the console script `otklik`
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
