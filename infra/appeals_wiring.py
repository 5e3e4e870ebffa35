"""The appeals' application wired to the books its commands read: the composition root's first
part, and all an import worker needs (``infra.intake.parallel``)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.appeals.application import AppealsApplication
from domain.organisation.book import DirectoryBook
from domain.rubricator.book import RubricatorBook
from domain.sla.books import CalendarBook, PolicyBook
from infra import db_bounds
from infra.calendar_clock import CalendarClock, utc_now
from infra.database import ConnectionInfo
from infra.db_waits import Outage
from infra.privacy.keyring import Keyring
from infra.privacy.wiring import build_keyring, install
from infra.settings import Settings


@dataclass(frozen=True)
class AppealsWiring:
    """The appeals' application with the books its commands read (calendar, policies,
    directory, rubricator) and its SLA clock."""

    appeals: AppealsApplication
    calendar: CalendarBook
    policies: PolicyBook
    directory: DirectoryBook
    rubricator: RubricatorBook
    clock: CalendarClock
    keyring: Keyring  # issue 18: seals and opens personal data (the log's, the views')


def wire_appeals(
    settings: Settings, info: ConnectionInfo, limits: db_bounds.Limits
) -> AppealsWiring:
    appeals = AppealsApplication(
        env=info.eventsourcing_env(settings.pool_size, limits), clock=utc_now
    )
    db_bounds.bound_recorder(appeals.recorder, limits)
    keyring = build_keyring(settings, info, limits)
    install(appeals, keyring)
    calendar = CalendarBook(appeals, utc_now)
    policies = PolicyBook(appeals, utc_now)
    directory = DirectoryBook(appeals, utc_now)
    appeals.directory = directory.directory  # assignments name units and people by id
    rubricator = RubricatorBook(appeals, utc_now)
    appeals.rubricator = rubricator.rubricator  # categorise takes the rubricator's codes
    clock = CalendarClock(
        calendar,
        policies,
        settings.sla_policy,
        settings.timezone,
        municipality=settings.municipality,
        municipalities=settings.municipalities,
    )
    appeals.use_clock_source(clock)
    return AppealsWiring(appeals, calendar, policies, directory, rubricator, clock, keyring)


def build_appeals(settings: Settings, info: ConnectionInfo) -> AppealsApplication:
    """The appeals' application alone (an import worker's), with the request limits."""
    return wire_appeals(settings, info, db_bounds.request_limits(settings, Outage())).appeals
