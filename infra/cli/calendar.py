"""`otklik calendar …`: the production calendar, seeded, shown month by month, corrected."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from domain.shared.actors import Actor, Role
from domain.sla.calendar import DayKind
from infra.cli.support import container_session

calendar_app = typer.Typer(
    help="The production calendar (versioned, in the event store).", no_args_is_help=True
)

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
            written = container.calendar.record_correction(
                CorrectDay(day=day.date(), kind=kind, note=note, reason=reason, decree=decree),
                actor=Actor(id=f"cli:{by}", role=Role.ADMINISTRATOR, name=by),
            )
        except DomainError as error:
            typer.echo(error.message, err=True)
            raise typer.Exit(1) from None
        calendar = written.state
        typer.echo(
            f"calendar {calendar.id} version {calendar.version}: {day:%d.%m.%Y} is {kind}"
            f" (position {written.position}); the re-timer moves the open deadlines it changes"
            " as the projections run"
        )
