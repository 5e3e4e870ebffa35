"""The audit route of the МЦУ's sessions and tasks (issue 20): a session's or a task's whole
stream as an auditor reads an appeal's — every event with its position, version, times, actor,
payload and the change it made — with the audit ledger's digest of each stored event (the chain
``otklik audit verify`` checks). Auditors and the head."""

from uuid import UUID

import msgspec
from litestar import get

from api.auth import roles
from api.services import Now
from domain.sessions import tasks
from domain.sessions.history import AuditStep, replay
from domain.sessions.service import SessionsService
from domain.sessions.session import evolve
from domain.shared.actors import AUDIT_READERS
from projections.audit_ledger import AuditLedgerQueries
from projections.engine.model import ProjectionNotReady
from projections.session_queries import SessionQueries


class StreamAudit(msgspec.Struct, frozen=True, kw_only=True):
    stream_id: UUID
    kind: str  # session | task
    version: int
    ledger_position: int | None  # how far the audit ledger has recorded the log (None: not yet)
    events: list[AuditStep]
    tasks: list[UUID] = []  # a session's: the tasks its decisions set (each audited by its route)


def _digests(ledger: AuditLedgerQueries, positions: list[int]) -> tuple[dict[int, str], int | None]:
    """The ledger's digests of the stream's events and its position (none while it builds)."""
    try:
        return ledger.digests(positions), ledger.head().position
    except ProjectionNotReady:
        return {}, None


@get(
    "/api/v1/audit/sessions/{session_id:uuid}",
    sync_to_thread=True,
    tags=["audit", "sessions"],
    guards=[roles(AUDIT_READERS, "audit a session")],
)
def audit_session(
    session_id: UUID,
    sessions: SessionsService,
    session_queries: SessionQueries,
    audit_ledger: AuditLedgerQueries,
    clock: Now,
) -> StreamAudit:
    """Every event of the session (schedule, attendance, votes, decisions, protocol, signatures,
    publication) in order with the change it made and the ledger's digest, and the tasks its
    decisions set (from the view: a task set a moment ago may follow)."""
    recorded = sessions.history(session_id)
    digests, ledger_position = _digests(audit_ledger, [r.position for r in recorded])
    try:
        set_tasks = [t.task_id for t in session_queries.tasks(clock(), session_id=session_id)]
    except ProjectionNotReady:
        set_tasks = []
    return StreamAudit(
        stream_id=session_id,
        kind="session",
        version=len(recorded),
        ledger_position=ledger_position,
        events=replay(recorded, evolve, digests),
        tasks=set_tasks,
    )


@get(
    "/api/v1/audit/tasks/{task_id:uuid}",
    sync_to_thread=True,
    tags=["audit", "sessions"],
    guards=[roles(AUDIT_READERS, "audit a task")],
)
def audit_task(
    task_id: UUID, sessions: SessionsService, audit_ledger: AuditLedgerQueries
) -> StreamAudit:
    """Every event of the task (set, reported, accepted or returned, extended, breached,
    escalated) in order with the change it made and the ledger's digest."""
    recorded = sessions.task_history(task_id)
    digests, ledger_position = _digests(audit_ledger, [r.position for r in recorded])
    return StreamAudit(
        stream_id=task_id,
        kind="task",
        version=len(recorded),
        ledger_position=ledger_position,
        events=replay(recorded, tasks.evolve, digests),
    )


MCU_AUDIT_ROUTES = [audit_session, audit_task]
