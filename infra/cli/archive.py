"""`otklik archive export`: case files for the archive, one ZIP per appeal (issue 18)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from infra.archive.export import export_cases
from infra.archive.pdf import FontMissing, find_font
from infra.archive.wiring import archiver
from infra.audit.keys import load_private
from infra.cli.support import container_session

archive_app = typer.Typer(help="Case files for the archive (ZIP per appeal).", no_args_is_help=True)


def _day(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise typer.BadParameter("a date as YYYY-MM-DD", param_hint=option) from None


@archive_app.command("export")
def export_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="The folder for the ZIPs.")],
    appeal: Annotated[UUID | None, typer.Option(help="One appeal's case file.")] = None,
    since: Annotated[
        str | None, typer.Option("--from", help="First day (YYYY-MM-DD, local) of closings.")
    ] = None,
    until: Annotated[str | None, typer.Option("--to", help="Last day, inclusive.")] = None,
    key: Annotated[
        Path | None,
        typer.Option(help="The control centre's Ed25519 private key: sign the ledger's head now"),
    ] = None,
    font: Annotated[Path | None, typer.Option(help="A TTF with Cyrillic (default DejaVu).")] = None,
) -> None:
    """Write the case file of one appeal (--appeal), or of every appeal closed from --from to
    --to: history.json, history.pdf, attachments, answer and notices, proof.json (the chain up to
    a signed checkpoint) and manifest.json. `otklik audit verify --case FILE.zip` checks one
    offline. Exit status 0: all written; 1: some could not be (each says why); 2: bad usage."""
    first, last = _day(since, "--from"), _day(until, "--to")
    if (appeal is None) == (first is None or last is None) or (appeal and (first or last)):
        raise typer.BadParameter("give --appeal ID, or --from DATE and --to DATE")
    if first is not None and last is not None and last < first:
        raise typer.BadParameter("--to is before --from")
    try:
        fonts = find_font(font)
    except FontMissing as error:
        typer.echo(f"cannot write the PDF: {error}", err=True)
        raise typer.Exit(2) from None
    private = load_private(key) if key is not None else None
    with container_session() as container:
        period = (
            (first.date(), last.date(), container.settings.timezone)
            if first is not None and last is not None
            else None
        )
        results = export_cases(
            archiver(container, fonts), output, appeal=appeal, period=period, key=private
        )
    failed = 0
    for r in results:
        if r.path is None:
            failed += 1
            typer.echo(f"{r.appeal_id} {r.registration_number or ''}: NOT WRITTEN: {r.problem}")
        else:
            typer.echo(f"{r.path} ({r.events} events, {r.size:,} bytes)")
    typer.echo(f"{len(results) - failed} case file(s) written, {failed} not")
    if failed:
        raise typer.Exit(1)
