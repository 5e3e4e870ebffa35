"""Erasure of personal data (152-ФЗ) by the administrator who answers for information
protection: the subject's or one appeal's data keys destroyed, the erasure recorded."""

from __future__ import annotations

from typing import Any

from litestar import Request, post

from api.auth import actor_of, roles
from api.errors import ApiProblem
from api.schemas.privacy import Erasure, ErasureRequest
from domain.privacy.erasure import Eraser
from domain.shared.actors import Role

ERASE = roles({Role.SECURITY_ADMIN}, "erase personal data")


@post(
    "/api/v1/privacy/erasures",
    status_code=201,
    sync_to_thread=True,
    tags=["privacy"],
    guards=[ERASE],
)
def erase_personal_data(
    request: Request[Any, Any, Any], data: ErasureRequest, privacy: Eraser | None
) -> Erasure:
    """Erase the personal data of one appeal (`appeal_id`) or of a data subject (`subject_id`,
    every appeal of theirs): their keys are destroyed, so every sealed copy (the log, the
    views, the outbox, attachments, backups once restored) reads as «[персональные данные
    удалены …]» from now on. The log is not rewritten: its chain verifies unchanged."""
    if privacy is None:
        raise ApiProblem(503, "unavailable", "Unavailable", "erasure is not wired here")
    if (data.appeal_id is None) == (data.subject_id is None):
        raise ApiProblem(
            422, "invalid-request", "Invalid request", "name either appeal_id or subject_id"
        )
    event = privacy.erase(
        ground=data.ground,
        actor=actor_of(request),
        appeal_id=data.appeal_id,
        subject_id=data.subject_id,
    )
    return Erasure(
        erasure_id=event.erasure_id,
        subject_id=event.subject_id,
        appeal_ids=list(event.appeal_ids),
        ground=event.ground,
        erased_on=event.erased_on,
        keys=event.keys,
        placeholder=event.placeholder,
    )


PRIVACY_ROUTES = [erase_personal_data]
