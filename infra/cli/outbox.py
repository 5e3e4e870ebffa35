"""`otklik outbox …`: outgoing messages for operators: list them by status, retry a dead letter,
write a printable letter to a file and confirm it was posted."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from domain.outbox.state import MessageStatus
from domain.shared.actors import Actor, Role
from infra.cli.support import container_session

outbox_app = typer.Typer(help="Outgoing messages: list, retry, letters.", no_args_is_help=True)
OPERATOR = Actor(id="cli-outbox", role=Role.OPERATOR, name="Оператор (командная строка)")


@outbox_app.command("list")
def outbox_list(
    status: Annotated[MessageStatus | None, typer.Option(help="Only this status.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
) -> None:
    """Messages, newest first, with the counts by status (no addresses or texts)."""
    from rich.console import Console
    from rich.table import Table

    with container_session() as container:
        queries = container.outbox.queries
        counts = queries.counts()
        table = Table("id", "appeal", "purpose", "channel", "status", "attempts", "reason")
        for m in queries.list(status=status.value if status else None, limit=limit):
            table.add_row(
                str(m.message_id),
                str(m.appeal_id or ""),
                m.purpose,
                m.channel,
                m.status,
                str(m.attempts),
                m.last_reason or "",
            )
        console = Console(width=180)
        console.print(table)
        console.print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no messages")


@outbox_app.command("retry")
def outbox_retry(message_id: UUID, comment: Annotated[str | None, typer.Option()] = None) -> None:
    """Send a dead letter again."""
    with container_session() as container:
        written = container.outbox.service.retry(message_id, actor=OPERATOR, comment=comment)
        typer.echo(f"{message_id}: {written.state.status.value}")


@outbox_app.command("letter")
def outbox_letter(message_id: UUID, out: Annotated[Path, typer.Option("--out", "-o")]) -> None:
    """Write a printable letter (DOCX) to ``--out``."""
    from infra.outbound.letters import letter_docx

    with container_session() as container:
        message = container.outbox.service.message(message_id)
        if message is None:
            raise typer.BadParameter("there is no such message")
        municipality = container.outbox.renderer.municipality
        out.write_bytes(letter_docx(message, municipality, container.settings.timezone))
        typer.echo(f"{out}")


@outbox_app.command("printed")
def outbox_printed(message_id: UUID, comment: Annotated[str | None, typer.Option()] = None) -> None:
    """Confirm that a printed letter was posted (an answer's records its delivery)."""
    with container_session() as container:
        written = container.outbox.service.printed(message_id, actor=OPERATOR, comment=comment)
        typer.echo(f"{message_id}: {written.state.status.value}")
