"""`otklik sessions report` and `otklik tasks overdue`: the МЦУ's execution control on the
command line — a session's execution report (a table, JSON or CSV) and the overdue tasks,
optionally of one unit. Both read the МЦУ's view (``projections/sessions.py``)."""

from __future__ import annotations

import csv
import io
import sys
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
import typer

from infra.calendar_clock import utc_now
from infra.cli.support import container_session
from projections.engine.model import ProjectionNotReady
from projections.session_queries import TaskRow

sessions_app = typer.Typer(help="The МЦУ's sessions: execution reports.", no_args_is_help=True)
tasks_app = typer.Typer(help="The МЦУ's tasks: the overdue.", no_args_is_help=True)
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, json or csv")]
COLUMNS = (
    "task_id",
    "item",
    "text",
    "unit_id",
    "person_id",
    "due",
    "status",
    "overdue",
    "done_at",
    "breaches",
    "escalated_to",
    "extensions",
)
STATUSES = {"open": "открыто", "reported": "отчёт представлен", "done": "исполнено"}


def _check(fmt: str) -> None:
    if fmt not in ("table", "json", "csv"):
        typer.echo("the format is table, json or csv", err=True)
        raise typer.Exit(2)


def _csv(rows: list[TaskRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        data = msgspec.to_builtins(row)
        writer.writerow(["" if data.get(c) is None else data[c] for c in COLUMNS])
    return out.getvalue()


def _table(title: str, rows: list[TaskRow], timezone: str, footer: str) -> None:
    from rich.console import Console
    from rich.table import Table

    zone = ZoneInfo(timezone)
    table = Table(
        "п.",
        "поручение",
        "исполнитель",
        "срок",
        "статус",
        "исполнено",
        "нарушений",
        "продлений",
        title=title,
    )
    for t in rows:
        status = STATUSES.get(t.status, t.status) + (" (просрочено)" if t.overdue else "")
        done = f"{t.done_at.astimezone(zone):%d.%m.%Y}" if t.done_at else "—"
        table.add_row(
            str(t.item),
            t.text,
            t.unit_id or t.person_id or "—",
            f"{t.due:%d.%m.%Y}",
            status,
            done,
            str(t.breaches),
            str(t.extensions),
        )
    console = Console(width=160)
    console.print(table)
    console.print(footer)


@sessions_app.command("report")
def session_report(session_id: UUID, fmt: FormatOption = "table") -> None:
    """How the session's decisions are carried out: each task, and the counts (done, on time,
    overdue, open)."""
    _check(fmt)
    with container_session() as container:
        assert container.mcu is not None
        if container.mcu.service.session(session_id) is None:
            typer.echo("there is no such session", err=True)
            raise typer.Exit(1)
        now = utc_now()
        try:
            report = container.mcu.queries.report(session_id, now)
            rows = container.mcu.queries.tasks(now, session_id=session_id, limit=10_000)
        except ProjectionNotReady:
            typer.echo("the МЦУ's view is not built yet: start the server and retry", err=True)
            raise typer.Exit(1) from None
        timezone = container.settings.timezone
    if fmt == "json":
        body = {"report": report, "tasks": rows}
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(body)) + b"\n")
    elif fmt == "csv":
        typer.echo(_csv(rows), nl=False)
    else:
        footer = (
            f"Поручений: {report.tasks}; исполнено: {report.done} (в срок: {report.done_on_time});"
            f" просрочено: {report.overdue}; не исполнено: {report.open}"
        )
        _table(f"Исполнение решений заседания {session_id}", rows, timezone, footer)


@tasks_app.command("overdue")
def overdue_tasks(
    unit: Annotated[str | None, typer.Option("--unit", help="Only this unit's tasks.")] = None,
    fmt: FormatOption = "table",
) -> None:
    """Open tasks past their deadline, soonest due first."""
    _check(fmt)
    with container_session() as container:
        assert container.mcu is not None
        try:
            rows = container.mcu.queries.tasks(utc_now(), unit_id=unit, status="overdue")
        except ProjectionNotReady:
            typer.echo("the МЦУ's view is not built yet: start the server and retry", err=True)
            raise typer.Exit(1) from None
        timezone = container.settings.timezone
    if fmt == "json":
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(rows)) + b"\n")
    elif fmt == "csv":
        typer.echo(_csv(rows), nl=False)
    else:
        _table("Просроченные поручения", rows, timezone, f"Просрочено: {len(rows)}")
