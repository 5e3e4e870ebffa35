"""Audit: who read citizens' personal data, and the audit ledger's head (to publish)."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from litestar import get
from litestar.params import Parameter

from api.auth import roles
from api.schemas.common import require_offset
from domain.shared.actors import AUDIT_READERS
from projections.audit_ledger import AuditLedgerQueries, LedgerHead
from projections.personal_data_reads import PersonalDataReadPage, PersonalDataReadQueries

Limit = Annotated[int, Parameter(ge=1, le=1000)]


@get(
    "/api/v1/audit/personal-data-reads",
    sync_to_thread=True,
    tags=["audit"],
    guards=[roles(AUDIT_READERS, "read the personal-data access log")],
)
def personal_data_reads(
    personal_data_read_queries: PersonalDataReadQueries,
    appeal_id: UUID | None = None,
    actor_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before: Annotated[int | None, Parameter(ge=1)] = None,
    limit: Limit = 100,
) -> PersonalDataReadPage:
    """Who was served a citizen's contact details — actor, role, department, appeal, route,
    fields, time — newest first (``before``: the previous page's ``next_cursor``). Each reading
    is an event in the log, under the hash chain. Auditors and the head only."""
    require_offset("since", since)
    require_offset("until", until)
    return personal_data_read_queries.list(
        appeal_id=appeal_id,
        actor_id=actor_id,
        since=since,
        until=until,
        before=before,
        limit=limit,
    )


@get(
    "/api/v1/audit/ledger",
    sync_to_thread=True,
    tags=["audit"],
    guards=[roles(AUDIT_READERS, "read the audit ledger")],
)
def ledger(audit_ledger: AuditLedgerQueries) -> LedgerHead:
    """The audit ledger's head: how far it has recorded the log, the chain's link there (what a
    signed checkpoint publishes), and its checkpoints."""
    return audit_ledger.head()
