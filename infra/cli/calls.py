"""`otklik calls import FILE`: the hotline's calls feed (CSV or JSON Lines) as CALL appeals, each
recording kept as an attachment; idempotent, so the feed can be imported again."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infra.cli.support import container_session

calls_app = typer.Typer(
    help="The hotline's calls: import the telephony system's feed.", no_args_is_help=True
)


@calls_app.command("import")
def calls_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="A .csv (with a header row) or .jsonl feed: call_id, time, caller,"
            " duration_seconds, summary, recording (a path beside the feed), channel.",
            exists=True,
            dir_okay=False,
        ),
    ],
) -> None:
    """Receive each call as an appeal (channel phone or voice_message, the call id its external
    id) with its recording; report each broken row (row, column, rule) and import the rest."""
    from infra.calls.importer import CallsImporter

    with container_session() as container:
        done = CallsImporter(container.attachments).run(file)
    for error in done.errors:
        typer.echo(str(error), err=True)
    typer.echo(
        f"{done.rows} rows: {done.received} calls received, {done.replayed} imported before"
        f" (nothing appended), {done.recordings} recordings added, {len(done.errors)} errors"
    )
    if done.errors:
        raise typer.Exit(1)
