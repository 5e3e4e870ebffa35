"""The appeal's original free texts: personal data (152-ФЗ), served only to the roles that work
the appeal, each reading recorded before it is served, as the citizen's contact is."""

from typing import Any
from uuid import UUID

import structlog
from litestar import Request, get

from api.auth import actor_of, require_department, roles
from api.redacted_reads import originals
from api.schemas.texts import OriginalText, OriginalTexts
from domain.appeals.application import AppealsApplication
from domain.appeals.state import fold
from domain.audit.access import AuditTrail
from domain.shared.actors import PERSONAL_DATA_READERS, Role

log = structlog.get_logger("otklik.api")


@get(
    "/api/v1/appeals/{appeal_id:uuid}/texts",
    sync_to_thread=True,
    tags=["appeals"],
    guards=[roles(PERSONAL_DATA_READERS, "read the original texts of appeals")],
)
def get_original_texts(
    request: Request[Any, Any, Any],
    appeal_id: UUID,
    appeals: AppealsApplication,
    audit_trail: AuditTrail,
) -> OriginalTexts:
    """The appeal's free texts as they were written (the appeal's text, answers, comments, other
    bodies' replies), each with the event that recorded it. Every other read route shows their
    redacted copies; this one is a personal-data read, recorded (who, when, which texts) before
    it is served: a reading that cannot be recorded is not served."""
    actor = actor_of(request)
    history = appeals.history(appeal_id)
    if actor.role is Role.EXECUTOR:
        state = fold(r.event for r in history)
        assert state is not None  # a history starts with the appeal's receipt
        require_department(actor, appeals.department_of(state))
    found = originals(history)
    served = tuple(dict.fromkeys(f"{type(r.event).__name__}.{field}" for r, field, _ in found))
    audit_trail.personal_data_read(
        appeal_id, actor=actor, route="GET /api/v1/appeals/{id}/texts", fields=served
    )
    log.info("personal_data.read", appeal_id=str(appeal_id), actor_id=actor.id, role=actor.role)
    return OriginalTexts(
        appeal_id=appeal_id,
        texts=[
            OriginalText(
                source_version=r.event.originator_version,
                source_type=type(r.event).__name__,
                field=field,
                text=text,
            )
            for r, field, text in found
        ],
    )
