"""`otklik import FILE --profile P [--dry-run] [--errors FILE]`: a bulk import of a channel's
export (CSV, XLSX, JSON Lines) through a mapping profile, with a progress bar and a summary; the
rows that break a rule go to the error report (next to the file unless --errors names one)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from infra.cli.support import container_session
from infra.intake.importer import Importer
from infra.intake.parallel import Job, prepare, run_in_workers, worker_count
from infra.intake.profile import ProfileError, load_profile
from infra.intake.reading import FileRefused, format_of, read_export
from infra.intake.report import default_errors_path, require_columns, write_errors

PREPARE_FROM = 1_000_000  # bytes: a file this large is likely imported by workers

_COLUMNS = (
    TextColumn("[progress.description]{task.description}"),
    BarColumn(),
    MofNCompleteColumn(),
    TextColumn("{task.fields[rate]} rows/s"),
    TimeElapsedColumn(),
    TimeRemainingColumn(),
)


def import_file(
    file: Annotated[Path, typer.Argument(help="The export: .csv, .xlsx or .jsonl.")],
    profile: Annotated[
        str,
        typer.Option(help="A shipped profile (pos, incident-management, generic-311) or a file."),
    ],
    dry_run: Annotated[
        bool, typer.Option(help="Check and decide every row; save nothing.")
    ] = False,
    errors: Annotated[
        Path | None, typer.Option(help="The error report (default: FILE.errors.csv beside it).")
    ] = None,
) -> None:
    """Import a channel's history: each row's facts at their own times, idempotently."""
    try:
        if file.stat().st_size >= PREPARE_FROM:
            prepare()  # the workers' server loads their modules while the file is read
        chosen = load_profile(profile)
        export = read_export(file.read_bytes(), format_of(file.name))
        require_columns(chosen, export)
    except (ProfileError, FileRefused, OSError) as refused:
        typer.echo(f"import refused: {refused}", err=True)
        raise typer.Exit(2) from None
    with container_session(migrate=True) as container:
        settings = container.settings
        workers = worker_count(export.total, settings.import_workers)
        # the bar on stderr, the summary on stdout (a script reads the summary)
        with Progress(*_COLUMNS, console=Console(stderr=True)) as bar:
            task = bar.add_task(file.name, total=export.total, rate="—")

            def advance(n: int) -> None:
                bar.advance(task, n)
                elapsed = bar.tasks[0].elapsed or 0.0
                done = bar.tasks[0].completed
                bar.update(task, rate=f"{done / elapsed:,.0f}" if elapsed else "—")

            now = datetime.now(UTC)
            if workers > 1:
                job = Job(
                    env=dict(os.environ),
                    info=container.info,
                    profile=chosen,
                    path=file.resolve(),
                    fmt=format_of(file.name),
                    file=file.name,
                    now=now,
                    dry_run=dry_run,
                    workers=workers,
                )
                summary = run_in_workers(job, advance)
            else:
                importer = Importer(container.appeals, chosen, now=now, dry_run=dry_run)
                summary = importer.run(export, file.name, advance)
    report = errors or default_errors_path(file)
    if summary.errors:
        write_errors(summary, report)
    typer.echo(
        f"{'dry run: ' if dry_run else ''}{summary.rows} rows in {summary.seconds:.1f} s"
        f" ({summary.rows_per_second:,.0f} rows/s, {summary.events_per_second:,.0f} events/s):"
        f" {summary.received} received, {summary.updated} updated, {summary.unchanged} unchanged,"
        f" {summary.failed} with errors; {summary.events} events"
        + (f"; errors in {report}" if summary.errors else "")
    )
    if summary.failed:
        raise typer.Exit(1)
