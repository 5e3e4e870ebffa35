"""`otklik retention report|sweep|hold|lift`: what personal data expires next (the report the
administrator signs off), one pass of the retention reactor now, and legal holds."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo

import typer

from domain.shared.actors import Actor, Role
from domain.shared.errors import DomainError
from infra.calendar_clock import utc_now
from infra.cli.support import container_session
from infra.retention.wiring import Retention
from projections.engine.model import ProjectionNotReady
from projections.retention import expiring, next_month

retention_app = typer.Typer(help="Retention of personal data: the report, a sweep, legal holds.")
DAY = ["%Y-%m-%d"]


def _wired(retention: Retention | None) -> Retention:
    if retention is None:
        typer.echo("retention is not wired in this process", err=True)
        raise typer.Exit(1)
    return retention


def _admin(by: str) -> Actor:
    return Actor(id=f"cli:{by}", role=Role.SECURITY_ADMIN, name=by)


@retention_app.command("report")
def report(
    start: Annotated[
        datetime | None, typer.Option("--from", formats=DAY, help="First day (next month's).")
    ] = None,
    end: Annotated[
        datetime | None, typer.Option("--to", formats=DAY, help="Day after the last.")
    ] = None,
) -> None:
    """Closed appeals whose personal data expires in the period (by default next month): number,
    kind, department, closed, expires, held — and the rule each period rests on."""
    with container_session() as container:
        zone = container.settings.timezone
        today = utc_now().astimezone(ZoneInfo(zone)).date()
        first, last = next_month(today)
        first, last = (start.date() if start else first), (end.date() if end else last)
        retention = _wired(container.retention)
        schedule, holds = retention.schedule(), retention.holds
        try:
            found = expiring(container.pool, schedule, first, last, zone)
        except ProjectionNotReady:
            typer.echo("the views are not built yet: run `otklik projections run` first", err=True)
            raise typer.Exit(1) from None
        held = holds.held([c.appeal_id for c in found])
        typer.echo(f"Истекают сроки хранения с {first:%d.%m.%Y} по {last:%d.%m.%Y} (не включая)")
        for c in found:
            mark = "удержание" if c.appeal_id in held else ""
            typer.echo(
                f"{c.registration_number or c.appeal_id}\t{c.kind.value}\t{c.department or ''}"
                f"\t{c.closed_on:%d.%m.%Y}\t{c.expires_on:%d.%m.%Y}\t{mark}"
            )
        bases = sorted({schedule.rule(c.kind).basis for c in found})
        typer.echo(f"Всего: {len(found)}, из них под удержанием: {len(held)}")
        for basis in bases:
            typer.echo(f"Основание: {basis}")


@retention_app.command("sweep")
def sweep(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show, erase nothing.")] = False,
) -> None:
    """Erase now what the retention reactor would on its next round (no data shown)."""
    with container_session() as container:
        reactor = _wired(container.retention).reactor
        now = utc_now()
        due, held = reactor.due(now)
        if dry_run:
            for c in due:
                typer.echo(f"would erase {c.registration_number or c.appeal_id} ({c.kind.value})")
        else:
            for c in reactor.sweep(now):
                typer.echo(f"erased {c.registration_number or c.appeal_id} ({c.kind.value})")
        typer.echo(f"expired: {len(due)}, kept by a legal hold: {len(held)}")


def _hold(appeal: UUID, ground: str, by: str, *, place: bool) -> None:
    with container_session() as container:
        holds = _wired(container.retention).holds
        act = holds.place if place else holds.lift
        try:
            written = act(appeal, ground, _admin(by))
        except DomainError as e:
            typer.echo(str(e), err=True)
            raise typer.Exit(1) from None
        state = "held" if written.state.held else "not held"
        typer.echo(f"{appeal}: {state} (version {written.version})")


@retention_app.command("hold")
def hold(
    appeal: Annotated[UUID, typer.Argument(help="The appeal's id.")],
    ground: Annotated[str, typer.Option(help="The dispute: «дело № …», «отбор ЭПК».")],
    by: Annotated[str, typer.Option(help="Who places it (the security administrator).")],
) -> None:
    """Keep the appeal's personal data past its retention period while a dispute lasts."""
    _hold(appeal, ground, by, place=True)


@retention_app.command("lift")
def lift(
    appeal: Annotated[UUID, typer.Argument(help="The appeal's id.")],
    ground: Annotated[str, typer.Option(help="Why the hold ends.")],
    by: Annotated[str, typer.Option(help="Who lifts it (the security administrator).")],
) -> None:
    """End a legal hold: the next sweep erases the data if its period has ended."""
    _hold(appeal, ground, by, place=False)
