"""The МЦУ as a body (issue 20) built for the composition root: the sessions' service (the body,
sessions, tasks, polls, publications), the view's queries and the task watcher."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.application import Application
from psycopg_pool import ConnectionPool

from domain.organisation.directory import Directory
from domain.sessions.service import SessionsService
from domain.sla.calendar import ProductionCalendar
from projections.reactors.task_deadlines import TaskWatcher
from projections.session_queries import SessionQueries


@dataclass(frozen=True)
class Mcu:
    service: SessionsService
    queries: SessionQueries
    watcher: TaskWatcher  # a reactor the engine runs: breaches and escalates overdue tasks


def build_mcu(
    store: Application[UUID],
    pool: ConnectionPool,
    clock: Callable[[], datetime],
    *,
    directory: Callable[[], Directory],
    calendar: Callable[[], ProductionCalendar],
    timezone: str,
    interval: float,
    on_breach: Callable[[str], None],
) -> Mcu:
    service = SessionsService(store, clock, directory, calendar, timezone)
    watcher = TaskWatcher(service, pool, clock, interval=interval, on_breach=on_breach)
    return Mcu(service=service, queries=SessionQueries(pool), watcher=watcher)
