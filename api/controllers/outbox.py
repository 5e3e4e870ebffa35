"""The outbox for operators: outgoing messages by status (dead letters among them), an operator's
retry of a dead letter, and the confirmation that a printed letter was posted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.params import Parameter

from api.auth import actor_of, roles
from api.controllers.params import IfMatch
from api.errors import ApiProblem
from api.schemas.common import etag, expected_version
from api.schemas.outbox import OperatorNote, OutboxMessage
from domain.outbox.decide import OPERATORS
from domain.outbox.service import OutboxService
from domain.outbox.state import MessageStatus
from domain.shared.actors import PERSONAL_DATA_READERS, Role
from projections.outbox import OutboxItem, OutboxQueries

READERS = roles(OPERATORS | {Role.AUDITOR}, "read the outbox")
ACT = roles(OPERATORS, "retry messages or confirm posted letters")
NO_MESSAGE = "there is no such message"
StatusParameter = Annotated[
    MessageStatus | None,
    Parameter(query="status", required=False, description="Only messages in this status."),
]
AppealParameter = Annotated[
    UUID | None, Parameter(query="appeal_id", required=False, description="One appeal's.")
]
LimitParameter = Annotated[int, Parameter(query="limit", ge=1, le=1000, required=False)]


def shown(item: OutboxItem, personal: bool) -> OutboxMessage:
    return OutboxMessage(
        id=item.message_id,
        appeal_id=item.appeal_id,
        purpose=item.purpose,
        channel=item.channel,
        status=item.status,
        article=item.article,
        trigger=item.trigger_type,
        queued_at=item.queued_at,
        attempts=item.attempts,
        retry_at=item.retry_at,
        last_reason=item.last_reason,
        reference=item.reference,
        duplicates=item.duplicates,
        delivered_at=item.delivered_at,
        gave_up_at=item.gave_up_at,
        printed_at=item.printed_at,
        recipient=item.recipient if personal else None,
        subject=item.subject if personal else None,
        body=item.body if personal else None,
    )


def _services(outbox: OutboxService | None) -> OutboxService:
    if outbox is None:
        raise ApiProblem(503, "unavailable", "Unavailable", "the outbox is not running here")
    return outbox


@get("/api/v1/outbox", sync_to_thread=True, tags=["outbox"], guards=[READERS])
def list_outbox(
    request: Request[Any, Any, Any],
    outbox_queries: OutboxQueries,
    status: StatusParameter = None,
    appeal_id: AppealParameter = None,
    limit: LimitParameter = 100,
) -> list[OutboxMessage]:
    """Outgoing messages, newest first: queued, sending, failed (with the next attempt's time),
    dead letters, delivered, letters awaiting print. The address, subject and text only for
    the roles that may read citizens' personal data."""
    personal = actor_of(request).role in PERSONAL_DATA_READERS
    found = outbox_queries.list(
        status=status.value if status else None, appeal_id=appeal_id, limit=limit
    )
    return [shown(item, personal) for item in found]


def _act(
    act: Callable[..., Any],
    request: Request[Any, Any, Any],
    outbox: OutboxService | None,
    message_id: UUID,
    data: OperatorNote,
    if_match: str | None,
) -> Response[dict[str, Any]]:
    """``act`` (an ``OutboxService`` method) on the message, ``If-Match`` its version; the
    message's status and attempts after it, with its new ETag."""
    service, version = _services(outbox), expected_version(if_match)
    written = act(
        service, message_id, actor=actor_of(request), comment=data.comment, expected_version=version
    )
    message = service.message(message_id)
    assert message is not None
    body = {"id": str(message_id), "status": message.status.value, "attempts": message.attempts}
    return Response(body, headers={"ETag": etag(written.version)})


@post(
    "/api/v1/outbox/{message_id:uuid}/retry",
    status_code=200,
    sync_to_thread=True,
    tags=["outbox"],
    guards=[ACT],
)
def retry_message(
    request: Request[Any, Any, Any],
    message_id: UUID,
    outbox: OutboxService | None,
    data: OperatorNote,
    if_match: IfMatch = None,
) -> Response[dict[str, Any]]:
    """Send a dead letter again (its attempts count afresh); ``If-Match`` its version."""
    return _act(OutboxService.retry, request, outbox, message_id, data, if_match)


@post(
    "/api/v1/outbox/{message_id:uuid}/printed",
    status_code=200,
    sync_to_thread=True,
    tags=["outbox"],
    guards=[ACT],
)
def confirm_printed(
    request: Request[Any, Any, Any],
    message_id: UUID,
    outbox: OutboxService | None,
    data: OperatorNote,
    if_match: IfMatch = None,
) -> Response[dict[str, Any]]:
    """Confirm that a printed letter was posted (an answer's records its delivery)."""
    return _act(OutboxService.printed, request, outbox, message_id, data, if_match)


OUTBOX_ROUTES = [list_outbox, retry_message, confirm_printed]
