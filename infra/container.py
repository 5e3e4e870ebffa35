"""The composition root: builds the real parts from settings and a database, and wires them."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg_pool import ConnectionPool

from api.metrics import WATCHER_BREACHES
from api.services import Services
from domain.access.service import AccessService
from domain.appeals.application import AppealsApplication
from domain.attachments.service import AttachmentService
from domain.audit.access import AuditTrail
from domain.claims.decide import ClaimClock
from domain.claims.norms import DEFAULT_NORMS
from domain.claims.service import ClaimsService
from domain.organisation.book import DirectoryBook
from domain.ratings.methodology_book import MethodologyBook
from domain.rubricator.book import RubricatorBook
from domain.sla.books import CalendarBook, PolicyBook
from infra import database, db_bounds
from infra.appeals_wiring import wire_appeals
from infra.attachments import FolderStore
from infra.calendar_clock import CalendarClock, utc_now
from infra.database import ConnectionInfo
from infra.db_waits import Outage
from infra.engine_wiring import build_engine, reactors
from infra.outbound.brief_wiring import build_brief
from infra.outbound.wiring import Outbox, build_outbox
from infra.privacy.erasure import ErasureService
from infra.privacy.files import FileSealer
from infra.privacy.keyring import Keyring
from infra.privacy.wiring import build_erasure
from infra.rating_links import RatingLinks, rating_links
from infra.redaction.wiring import Redaction, build_redaction
from infra.retention.wiring import Retention, build_retention
from infra.seeding import seed_books
from infra.services_wiring import services_of
from infra.sessions_wiring import Mcu, build_mcu
from infra.settings import Settings
from infra.token_cache import TokenCache
from infra.tokens import TokenStore
from projections.access import AccessQueries
from projections.appeals import AppealQueries
from projections.audit_ledger import AuditLedgerQueries
from projections.claims import ClaimQueries
from projections.engine.runner import ProjectionEngine
from projections.personal_data_reads import PersonalDataReadQueries
from projections.ratings import RatingQueries
from projections.reactors.brief import DailyBrief
from projections.reactors.deadlines import DeadlineWatcher
from projections.reactors.retimer import Retimer
from projections.redacted_texts import RedactedTextQueries
from projections.reports import Reports
from projections.sla import SlaQueries


def count_breach(subject: str) -> None:
    WATCHER_BREACHES.labels(subject=subject).inc()


@dataclass
class Container:
    settings: Settings
    info: ConnectionInfo
    pool: ConnectionPool  # requests and commands: quick limits (a 503 within seconds)
    background_pool: ConnectionPool  # the projection engine: long statements
    appeals: AppealsApplication
    tokens: TokenStore
    access: AccessService
    access_queries: AccessQueries
    engine: ProjectionEngine
    queries: AppealQueries
    calendar: CalendarBook
    policies: PolicyBook
    watcher: DeadlineWatcher
    sla: SlaQueries
    sla_clock: CalendarClock
    retimer: Retimer
    audit: AuditTrail
    personal_data_reads: PersonalDataReadQueries
    audit_ledger: AuditLedgerQueries
    claims: ClaimsService
    claim_queries: ClaimQueries
    methodologies: MethodologyBook
    directory: DirectoryBook
    rubricator: RubricatorBook
    ratings: RatingQueries
    reports: Reports
    attachments: AttachmentService  # issue 16: files under <data dir>/attachments by default
    outbox: Outbox  # issue 17: outgoing messages, their reactor and delivery worker
    brief: DailyBrief  # issue 17: the daily brief to the deputy heads and the МЦУ's head
    # issue 17: the citizen's rating links (None: no OTKLIK_RATING_SECRET); the answer's message
    # carries ``link_for(appeal_id, answer_version, now)``, made when it is queued
    rating_links: RatingLinks | None = None
    # issue 20: the МЦУ as a body: sessions, tasks and their watcher, polls, publications
    mcu: Mcu | None = None
    keyring: Keyring | None = None  # issue 18: personal data sealed per subject and appeal
    privacy: ErasureService | None = None  # issue 18: erasures (keys destroyed, recorded)
    retention: Retention | None = None  # issue 18: the schedule, legal holds, the reactor
    # issue 18: the redacted copies of free texts (the masker loads its model on first use)
    redaction: Redaction | None = None
    redacted_texts: RedactedTextQueries | None = None
    token_cache: TokenCache | None = None  # made with the services (the serving processes')
    _head: str = field(default_factory=database.head_revision)

    @classmethod
    def build(cls, settings: Settings, info: ConnectionInfo) -> Container:
        outage = Outage()  # what this process last saw of the database, for all its pools
        limits = db_bounds.request_limits(settings, outage)
        pool = database.open_pool(info, settings.pool_size, limits=limits)
        background = db_bounds.background_limits(settings, outage)
        background_pool = database.open_pool(
            info, settings.pool_size, "otklik-background", limits=background
        )
        wired = wire_appeals(settings, info, limits)
        appeals, calendar, policies = wired.appeals, wired.calendar, wired.policies
        directory, rubricator, appeals_clock = wired.directory, wired.rubricator, wired.clock
        queries = AppealQueries(pool)
        claims = ClaimsService(
            appeals,
            utc_now,
            lambda: ClaimClock(DEFAULT_NORMS, appeals_clock().calendar, appeals_clock().timezone),
        )
        watcher = DeadlineWatcher(
            appeals,
            queries,
            utc_now,
            interval=settings.watcher_interval,
            claims=claims,
            pool=pool,
            on_breach=count_breach,
        )
        retimer = Retimer(
            appeals, pool, refresh=appeals_clock.refresh, policy_id=settings.sla_policy
        )
        links = rating_links(settings)
        outbox = build_outbox(
            settings.outbound,
            appeals,
            pool,
            utc_now,
            settings.timezone,
            rating_link=(lambda appeal, answer: links.link_for(appeal, answer, utc_now()))
            if links is not None
            else None,
            # issue 17: an escalation reaches the person at their work e-mail in the directory
            person_address=lambda person_id: directory.directory().email_of(person_id),
        )
        brief = build_brief(  # issue 17: the daily brief, queued on the outbox
            settings.outbound,
            outbox,
            pool,
            directory=directory.directory,
            rubricator=rubricator.rubricator,
            calendar=lambda: appeals_clock().calendar,
            timezone=settings.timezone,
        )
        mcu = build_mcu(  # issue 20
            appeals,
            pool,
            utc_now,
            directory=directory.directory,
            calendar=lambda: appeals_clock().calendar,
            timezone=settings.timezone,
            interval=settings.watcher_interval,
            on_breach=count_breach,
        )
        redaction = build_redaction(appeals)  # issue 18
        store = FolderStore(  # issue 18: an appeal's files encrypted with its data key
            settings.attachments_root, settings.attachment_max_bytes, FileSealer(wired.keyring)
        )
        store.sweep()  # what a crashed upload left in the staging folder
        privacy = build_erasure(settings, wired.keyring, appeals, store)
        retention = build_retention(  # issue 18: expired appeals' data erased unless held
            appeals,
            pool,
            privacy,
            path=settings.retention_schedule,
            timezone=settings.timezone,
            interval=settings.retention_interval,
        )
        running = reactors(
            watcher,
            retimer,
            outbox.reactor,
            outbox.delivery,
            brief,
            mcu.watcher,
            retention.reactor,
            redaction.reactor,
        )
        engine = build_engine(
            settings, info, background_pool, background, running, keyring=wired.keyring
        )
        ratings = RatingQueries(pool, settings.timezone, directory=directory.directory)
        access = AccessService(appeals, utc_now, settings.token_ttl_days * 86_400)
        # an executor acts for the unit of their executor position in the directory, else for
        # the unit their account is bound to
        tokens = TokenStore(
            pool, access, utc_now, settings.timezone, executor_unit=directory.executor_unit
        )
        return cls(
            settings=settings,
            info=info,
            pool=pool,
            background_pool=background_pool,
            appeals=appeals,
            tokens=tokens,
            access=access,
            access_queries=AccessQueries(pool),
            engine=engine,
            queries=queries,
            calendar=calendar,
            policies=policies,
            watcher=watcher,
            sla=SlaQueries(pool),
            sla_clock=appeals_clock,
            retimer=retimer,
            audit=AuditTrail(appeals, utc_now),
            personal_data_reads=PersonalDataReadQueries(pool),
            audit_ledger=AuditLedgerQueries(pool),
            claims=claims,
            claim_queries=ClaimQueries(pool),
            methodologies=MethodologyBook(appeals, utc_now),
            directory=directory,
            rubricator=rubricator,
            ratings=ratings,
            reports=Reports(pool, ratings, settings.timezone, rubricator.rubricator),
            attachments=AttachmentService(appeals, store),
            rating_links=links,
            outbox=outbox,
            brief=brief,
            mcu=mcu,  # issue 20
            keyring=wired.keyring,
            privacy=privacy,
            retention=retention,
            redaction=redaction,
            redacted_texts=RedactedTextQueries(pool),
        )

    def seed_calendar(self) -> None:
        """Make sure the production calendar holds the years deadlines can reach, the federal
        SLA policy is published (version 1) when no policy is, and so are the bundled rating
        methodologies (infra/methodologies/v1.toml, v2.toml) that are not."""
        seed_books(
            self.calendar,
            self.policies,
            self.methodologies,
            sla_policy=self.settings.sla_policy,
            today=utc_now().date(),
        )
        self.sla_clock.refresh()

    def has_appeals(self) -> bool:
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT EXISTS (SELECT FROM otklik_events WHERE topic LIKE 'AppealReceived%')"
            ).fetchone()
        return bool(row and row[0])

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
        """What the API's routes are given (``infra.services_wiring``)."""
        return services_of(self)

    def close(self) -> None:
        if self.token_cache is not None:
            self.token_cache.close()
        self.engine.stop()
        self.appeals.close()
        if self.keyring is not None:
            self.keyring.pool.close()
        self.pool.close()
        self.background_pool.close()
