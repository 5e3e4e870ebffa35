"""`otklik directory …`: load the administration's directory from a file, show it as of a date."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from infra.cli.support import container_session

directory_app = typer.Typer(
    help="The administration's directory: units, people, positions (versioned, in the event store).",
    no_args_is_help=True,
)

DAY = "%Y-%m-%d"


@directory_app.command("load")
def directory_load(
    file: Annotated[
        Path,
        typer.Argument(help="A .toml or .xlsx file, or a folder of units/people/positions.csv."),
    ],
    dry_run: Annotated[bool, typer.Option(help="Print the plan; append nothing.")] = False,
    effective: Annotated[
        datetime | None,
        typer.Option(formats=[DAY], help="The day the changes take effect (default: today)."),
    ] = None,
    by: Annotated[str, typer.Option(help="Who loads it (recorded as the actor).")] = "admin",
) -> None:
    """Bring the directory to what the file describes: only the differences, each as its event,
    in one batch (nothing when the file is already loaded)."""
    from rich.console import Console
    from rich.table import Table

    from domain.shared.errors import DomainError
    from infra.organisation.loading import describe, load, loader
    from infra.organisation.rows import FileRefused

    console = Console(width=140)
    with container_session() as container:
        try:
            loaded = load(
                container.directory,
                file,
                actor=loader(by),
                effective=effective.date() if effective else None,
                dry_run=dry_run,
            )
        except FileRefused as refused:
            for error in refused.errors:
                typer.echo(str(error), err=True)
            typer.echo(f"{len(refused.errors)} errors; nothing loaded", err=True)
            raise typer.Exit(1) from None
        except (DomainError, ValueError) as error:
            typer.echo(f"{error}; nothing loaded", err=True)
            raise typer.Exit(1) from None
    if not loaded.changes:
        typer.echo(f"the directory (version {loaded.version}) is as the file describes it")
        return
    table = Table("№", "изменение", "кто / что", "значения", "с даты", title="План изменений")
    for number, change in enumerate(loaded.changes, start=1):
        table.add_row(str(number), *describe(change))
    console.print(table)
    if loaded.applied:
        typer.echo(f"{len(loaded.changes)} changes appended; directory version {loaded.version}")
    else:
        typer.echo(f"{len(loaded.changes)} changes planned (dry run: nothing appended)")


@directory_app.command("show")
def directory_show(
    as_of: Annotated[
        datetime | None, typer.Option(formats=[DAY], help="The day (default: as recorded now).")
    ] = None,
    closed: Annotated[bool, typer.Option(help="Include merged and closed units.")] = False,
) -> None:
    """The units with the names they had on the day, their parents and who heads them."""
    from rich.console import Console
    from rich.table import Table

    from domain.organisation.events import Position

    at = as_of.date() if as_of else None
    with container_session() as container:
        d = container.directory.directory()
        units = d.listing(at, closed=closed)
    title = f"Справочник на {at:%d.%m.%Y}" if at else "Справочник"
    table = Table("код", "вид", "наименование", "в составе", "руководитель", "статус", title=title)
    for u in units:
        lead = Position.DEPUTY_HEAD if u.kind.value == "sector" else Position.HEAD
        heads = ", ".join(d.people[p].name(at) for p in d.holders(u.id, lead, at))
        table.add_row(u.id, u.kind.value, u.name, u.parent_id or "", heads, u.status)
    Console(width=160).print(table)
