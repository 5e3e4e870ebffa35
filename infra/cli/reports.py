"""`otklik report …`: the reports of the API on the command line, to a file or the terminal."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from api.report_formats import render
from domain.ratings.score import parse_period
from infra.cli.support import container_session
from projections.reports import Table

report_app = typer.Typer(
    help="Reports: the monthly KPI report, summaries in slices, hot topics, workload.",
    no_args_is_help=True,
)
FormatOption = Annotated[str, typer.Option("--format", "-f", help="json, csv or xlsx")]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="The file (else stdout).")
]


def _write(table: Table, fmt: str, output: Path | None) -> None:
    if fmt not in ("json", "csv", "xlsx"):
        typer.echo("the format is json, csv or xlsx", err=True)
        raise typer.Exit(2)
    data = render(table, fmt)
    if output is None:
        if fmt == "xlsx":
            typer.echo("an xlsx report needs --output FILE", err=True)
            raise typer.Exit(2)
        sys.stdout.buffer.write(data + b"\n")
        return
    output.write_bytes(data)
    typer.echo(f"{table.title}: {len(table.rows)} rows → {output} (stamp: {table.stamp})", err=True)


@report_app.command("kpi")
def kpi(
    period: Annotated[str, typer.Option(help="YYYY-MM, YYYY-Qn or YYYY")],
    methodology: Annotated[
        str | None, typer.Option(help="id or id/version (default: in force)")
    ] = None,
    fmt: FormatOption = "json",
    output: OutputOption = None,
) -> None:
    """The monthly KPI report per department and for the municipality."""
    chosen_period = parse_period(period)
    with container_session() as container:
        book = container.methodologies
        if methodology is None:
            chosen = book.in_force(chosen_period.first_month)
        else:
            name, _, version = methodology.partition("/")
            chosen = book.methodology(name, int(version) if version else None)
        if chosen is None:
            typer.echo(f"no methodology {methodology or 'in force'} for {period}", err=True)
            raise typer.Exit(2)
        _write(container.reports.kpi(chosen, chosen_period), fmt, output)


@report_app.command("summary")
def summary(
    since: Annotated[str, typer.Option(help="first day, YYYY-MM-DD")],
    until: Annotated[str, typer.Option(help="last day, YYYY-MM-DD")],
    by: Annotated[
        str, typer.Option(help="channel, kind, topic, department, sector, month")
    ] = "department",
    fmt: FormatOption = "json",
    output: OutputOption = None,
) -> None:
    """Appeals received in a period, in slices."""
    first, last = date.fromisoformat(since), date.fromisoformat(until)
    with container_session() as container:
        table = container.reports.summary(
            [b.strip() for b in by.split(",")], first, last + timedelta(days=1)
        )
        _write(table, fmt, output)


@report_app.command("hot-topics")
def hot_topics(
    weeks: Annotated[int, typer.Option(min=2, max=52)] = 8,
    fmt: FormatOption = "json",
    output: OutputOption = None,
) -> None:
    """Topics by week, their trend and their share of repeats."""
    with container_session() as container:
        _write(container.reports.hot_topics(weeks, datetime.now(UTC).date()), fmt, output)


@report_app.command("workload")
def workload(fmt: FormatOption = "json", output: OutputOption = None) -> None:
    """Open appeals per sector, department and executor."""
    with container_session() as container:
        _write(container.reports.workload(), fmt, output)
