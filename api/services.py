"""What the API is handed by the composition root: the application, the queries, auth, health.
The app (``api.app``) hands each route only the parts it names, through dependency injection."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from psycopg_pool import ConnectionPool

from api.auth import Authenticator
from api.rating_links import RatingLinkReader
from api.redacted_reads import RedactedCopies
from api.schemas.imports import ImportReport
from api.webhooks.common import WebhookSecrets
from domain.access.service import AccessService
from domain.appeals.application import AppealsApplication
from domain.attachments.service import AttachmentService
from domain.audit.access import AuditTrail
from domain.claims.service import ClaimsService
from domain.organisation.book import DirectoryBook
from domain.outbox.service import OutboxService
from domain.privacy.erasure import Eraser
from domain.ratings.methodology_book import MethodologyBook
from domain.retention.schedule import RetentionSchedule
from domain.retention.service import LegalHolds
from domain.rubricator.book import RubricatorBook
from domain.sessions.service import SessionsService
from domain.sla.books import CalendarBook, PolicyBook
from projections.access import AccessQueries
from projections.appeals import AppealQueries
from projections.audit_ledger import AuditLedgerQueries
from projections.claims import ClaimQueries
from projections.engine.status import FailedBuild, ProjectionStatus
from projections.outbox import OutboxQueries
from projections.personal_data_reads import PersonalDataReadQueries
from projections.ratings import RatingQueries
from projections.reports import Reports
from projections.session_queries import SessionQueries
from projections.sla import SlaQueries

# (projection name, log position, timeout in seconds) -> the position reached, or raises
# ProjectionBehind
WaitForView = Callable[[str, int, float], int]
# the business clock: now, in UTC (a dependency's type must be checkable: no Protocol)
Now = Callable[[], datetime]
# database reachable and migrations applied: (ready, what was found)
Readiness = Callable[[], tuple[bool, str]]


class ImportRefused(Exception):
    """A file or a profile an import cannot use at all (the message names the rule, never a
    value of the file): no row is imported."""


class Importer(ABC):
    """Bulk imports of a channel's export (issue 16; ``infra.intake`` implements it). An ABC, not
    a Protocol: a dependency's type must be checkable."""

    max_bytes: int  # the largest upload (OTKLIK_IMPORT_MAX_BYTES)
    formats: Mapping[str, str]  # media type -> the format the importer reads

    @abstractmethod
    def run(self, path: Path, fmt: str, profile: str, *, dry_run: bool) -> ImportReport:
        """Imports the file at ``path`` (``fmt``: csv, xlsx, jsonl) through ``profile``: the
        summary and the row errors; ``ImportRefused`` for a file or profile it cannot use."""


@dataclass(frozen=True)
class RetentionPort:
    """What the retention routes need: the holds, the schedule in force (read afresh), the
    appeals view's pool and the municipality's zone (closing days are local)."""

    holds: LegalHolds
    schedule: Callable[[], RetentionSchedule]
    pool: ConnectionPool
    timezone: str


@dataclass(frozen=True)
class Services:
    appeals: AppealsApplication
    queries: AppealQueries
    authenticate: Authenticator
    readiness: Readiness
    projection_status: Callable[[], list[ProjectionStatus]]
    failed_builds: Callable[[], list[FailedBuild]]  # builds stopped on an event: degraded
    wait_for_view: WaitForView
    calendar: CalendarBook
    sla: SlaQueries
    # after a calendar correction or a policy version: new decisions use it at once (the open
    # deadlines it moves are re-timed by the re-timer, a reactor)
    sla_clock_changed: Callable[[], None]
    policies: PolicyBook
    policy_id: str  # the SLA policy in force
    audit: AuditTrail  # records who reads personal data
    personal_data_reads: PersonalDataReadQueries
    audit_ledger: AuditLedgerQueries
    claims: ClaimsService
    claim_queries: ClaimQueries
    methodologies: MethodologyBook
    rubricator: RubricatorBook
    ratings: RatingQueries
    reports: Reports
    access: AccessService  # accounts and their tokens
    access_queries: AccessQueries
    directory: DirectoryBook  # the administration: units, people, positions
    attachments: AttachmentService  # issue 16: the appeals' files (store and records)
    imports: Importer  # issue 16: bulk imports of the channels' exports
    # a token's actor if this process keeps it (no I/O: asked on the event loop), else None
    cached_actor: Authenticator | None = None
    # pool name -> psycopg_pool's figures (requests_waiting, requests_wait_ms, pool_size, …)
    pool_stats: Callable[[], Mapping[str, Mapping[str, int]]] = dict
    # the messengers' secrets (None: not configured)
    webhooks: WebhookSecrets = field(default_factory=WebhookSecrets)
    # issue 17: the citizen's rating links (None: OTKLIK_RATING_SECRET unset, the page says so)
    rating_links: RatingLinkReader | None = None
    # issue 17: outgoing messages (None: no outbox in this process)
    outbox: OutboxService | None = None
    outbox_queries: OutboxQueries | None = None
    # issue 20: the МЦУ as a body (None: not wired in this process)
    sessions: SessionsService | None = None
    session_queries: SessionQueries | None = None
    # issue 18: erasure of personal data (None: not wired in this process)
    privacy: Eraser | None = None
    retention: RetentionPort | None = None  # issue 18: the retention report and legal holds
    # issue 18: the free texts the read routes show, redacted (None: no masker wired, and no
    # free text shown)
    redacted_copies: RedactedCopies | None = None
