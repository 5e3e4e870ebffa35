"""The daily brief built from the settings: its reactor over the outbox's service and renderer,
the views' queries, the directory, the rubricator and the production calendar."""

from __future__ import annotations

from collections.abc import Callable

from psycopg_pool import ConnectionPool

from domain.organisation.directory import Directory
from domain.rubricator.state import Rubricator
from domain.sla.calendar import ProductionCalendar
from infra.outbound.brief_workbook import brief_workbook
from infra.outbound.config import OutboundSettings
from infra.outbound.wiring import Outbox
from projections.brief import BriefQueries
from projections.reactors.brief import DailyBrief


def build_brief(
    settings: OutboundSettings,
    outbox: Outbox,
    pool: ConnectionPool,
    *,
    directory: Callable[[], Directory],
    rubricator: Callable[[], Rubricator],
    calendar: Callable[[], ProductionCalendar],
    timezone: str,
) -> DailyBrief:
    return DailyBrief(
        outbox.service,
        BriefQueries(pool),
        directory=directory,
        rubricator=rubricator,
        calendar=calendar,
        render=outbox.renderer,
        workbook=brief_workbook,
        timezone=timezone,
        hour=settings.brief_hour,
        heads=settings.brief_heads,
        interval=settings.brief_interval,
    )
