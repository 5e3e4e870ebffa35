"""The composition root: builds the real parts from settings and a database, and wires them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg
from psycopg_pool import ConnectionPool

from api.services import Services
from domain.appeals.application import AppealsApplication
from domain.appeals.deadlines import DeadlinePolicy
from domain.sla.book import CalendarBook
from infra import calendar_source, database
from infra.database import ConnectionInfo
from infra.eventstore import decode_event
from infra.settings import Settings
from infra.tokens import TokenStore
from projections.appeals import AppealQueries, AppealsProjection
from projections.department_days import DepartmentDaysProjection
from projections.engine.model import Projection
from projections.engine.runner import ProjectionEngine


def utc_now() -> datetime:
    return datetime.now(UTC)


def projections(settings: Settings) -> list[Projection]:
    """Every read model the engine runs."""
    return [AppealsProjection(), DepartmentDaysProjection(settings.timezone)]


@dataclass
class Container:
    settings: Settings
    info: ConnectionInfo
    pool: ConnectionPool
    appeals: AppealsApplication
    tokens: TokenStore
    engine: ProjectionEngine
    queries: AppealQueries
    calendar: CalendarBook
    _head: str = field(default_factory=database.head_revision)

    @classmethod
    def build(cls, settings: Settings, info: ConnectionInfo) -> Container:
        pool = database.open_pool(info, settings.pool_size)
        appeals = AppealsApplication(
            env=info.eventsourcing_env(settings.pool_size),
            policy=DeadlinePolicy(timezone=settings.timezone),
            clock=utc_now,
        )
        engine = ProjectionEngine(
            pool=pool,
            conninfo=info.conninfo,
            projections=projections(settings),
            decode=decode_event,
            rebuild_batch=settings.projection_batch,
        )
        return cls(
            settings=settings,
            info=info,
            pool=pool,
            appeals=appeals,
            tokens=TokenStore(pool),
            engine=engine,
            queries=AppealQueries(pool),
            calendar=CalendarBook(appeals, utc_now),
        )

    def seed_calendar(self) -> None:
        """Make sure the production calendar holds the years deadlines can reach."""
        calendar_source.seed(self.calendar, calendar_source.default_years(utc_now().date()))

    def readiness(self) -> tuple[bool, str]:
        try:
            with self.pool.connection(timeout=2) as conn:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except (psycopg.Error, TimeoutError) as error:
            return False, f"database unreachable or not migrated: {type(error).__name__}"
        current = row[0] if row else None
        if current != self._head:
            return False, f"migrations not applied: database at {current}, code at {self._head}"
        return True, f"database reachable, schema at {current}"

    def services(self) -> Services:
        return Services(
            appeals=self.appeals,
            queries=self.queries,
            authenticate=self.tokens.authenticate,
            readiness=self.readiness,
            projection_status=self.engine.status,
            wait_for_view=self.engine.wait_for,
            calendar=self.calendar,
        )

    def close(self) -> None:
        self.engine.stop()
        self.appeals.close()
        self.pool.close()
