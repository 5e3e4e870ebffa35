"""`otklik brief send [--date D] [--dry-run]`: queue a day's brief to the deputy heads and the
МЦУ's head by hand (a missed morning, a changed list); idempotent like the timer's: a brief
already queued for the day and person is not queued again."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from infra.calendar_clock import utc_now
from infra.cli.support import container_session
from projections.engine.model import ProjectionNotReady

brief_app = typer.Typer(help="The daily brief to the deputy heads and the МЦУ's head.")


@brief_app.command("send")
def brief_send(
    day: Annotated[
        datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], help="The morning (default: today)."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show, queue nothing.")] = False,
) -> None:
    """Queue the day's briefs not queued yet (one per person; no addresses shown)."""
    with container_session() as container:
        brief = container.brief
        today = utc_now().astimezone(ZoneInfo(container.settings.timezone)).date()
        wanted: date = day.date() if day is not None else today
        if brief.due(brief.at(wanted)) is None:
            typer.echo(f"{wanted}: a day off by the production calendar, no brief is sent")
            return
        now = utc_now() if wanted == today else None  # a past morning: its overdue as of then
        try:
            done = brief.send(wanted, now, dry_run=dry_run)
        except ProjectionNotReady:
            typer.echo("the views are not built yet: run `otklik projections run` first", err=True)
            raise typer.Exit(1) from None
        for q in done:
            state = "queued" if q.queued else ("would queue" if dry_run else "already queued")
            address = "e-mail" if q.has_address else "no e-mail (queued as no_address)"
            typer.echo(f"{q.person_id}: {state}, {address}, overdue {q.overdue}, {q.message_id}")
