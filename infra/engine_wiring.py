"""The projection engine built for the composition root: every read model it keeps and the
reactors it runs beside them, reading through the background pool."""

from __future__ import annotations

from psycopg_pool import ConnectionPool

from infra.calendar_clock import utc_now
from infra.database import ConnectionInfo
from infra.db_bounds import Limits
from infra.event_codec import codec_decoder
from infra.privacy.keyring import Keyring
from infra.settings import Settings
from projections.appeals import AppealsProjection
from projections.audit_ledger import AuditLedgerProjection
from projections.claims import ClaimsProjection
from projections.department_days import DepartmentDaysProjection
from projections.engine.model import Projection
from projections.engine.reactor import Reactor
from projections.engine.runner import ProjectionEngine
from projections.outbox import OutboxProjection
from projections.personal_data_reads import PersonalDataReadsProjection
from projections.reactors.deadlines import DeadlineWatcher
from projections.reactors.retimer import Retimer
from projections.redacted_texts import RedactedTextsProjection
from projections.sessions import SessionsProjection
from projections.sla import SlaProjection


def projections(settings: Settings) -> list[Projection]:
    """Every read model the engine runs."""
    return [
        AppealsProjection(),
        DepartmentDaysProjection(settings.timezone),
        SlaProjection(),
        AuditLedgerProjection(),
        PersonalDataReadsProjection(),
        ClaimsProjection(),
        OutboxProjection(),  # issue 17: outgoing messages
        SessionsProjection(),  # issue 20: the МЦУ's sessions, tasks, polls, publications
        RedactedTextsProjection(),  # issue 18: what analytics may read of citizens' texts
    ]


def reactors(watcher: DeadlineWatcher, retimer: Retimer, *more: Reactor) -> list[Reactor]:
    """Every reactor the engine runs beside the views (commands from events or a timer)."""
    return [watcher, retimer, *more]


def build_engine(
    settings: Settings,
    info: ConnectionInfo,
    pool: ConnectionPool,
    limits: Limits,
    running: list[Reactor],
    keyring: Keyring | None = None,
) -> ProjectionEngine:
    """The engine over the background ``pool`` (its ``limits``: long statements), opening
    sealed personal fields with ``keyring`` (issue 18)."""
    return ProjectionEngine(
        pool=pool,
        conninfo=limits.session_conninfo(info.conninfo),
        projections=projections(settings),
        reactors=running,
        decode=codec_decoder(keyring),
        clock=utc_now,
        rebuild_batch=settings.projection_batch,
    )
