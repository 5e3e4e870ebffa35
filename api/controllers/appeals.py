"""Appeals: receive, and one route per lifecycle action (the reads: ``appeal_reads``)."""

# No `from __future__ import annotations` here: the lifecycle routes are built from the request
# bodies' classes, and Litestar reads their annotations as real types.
import hashlib
from typing import Any
from uuid import UUID

import msgspec
import structlog
from litestar import Request, Response, post
from litestar.concurrency import sync_to_thread
from litestar.handlers import HTTPRouteHandler

from api.auth import actor_of, roles
from api.controllers.params import POSITION_HEADER, IdempotencyKey, IfMatch
from api.schemas.appeal_commands import LIFECYCLE, RECEIVE, AppealAction, ReceiveAppeal
from api.schemas.appeals import AppealState
from api.schemas.common import etag, expected_version, mirror
from domain.appeals.application import AppealsApplication, CommandResult, IdempotencyClaim
from domain.appeals.commands import Command
from domain.appeals.decide import PERMISSIONS
from domain.shared.actors import Actor

log = structlog.get_logger("otklik.api")
_ENCODER = msgspec.json.Encoder()


def _claim(actor: Actor, key: str | None, what: str, command: Command) -> IdempotencyClaim | None:
    """The idempotency record's claim: a retry must send the same action and command."""
    if key is None:
        return None
    fingerprint = hashlib.sha256(what.encode() + b"\n" + _ENCODER.encode(command)).hexdigest()
    return IdempotencyClaim(principal=actor.id, key=key, fingerprint=fingerprint)


def _command_response(
    command: Command, result: CommandResult, status: int
) -> Response[AppealState]:
    state = result.state
    headers = {"ETag": etag(state.version), POSITION_HEADER: str(result.position)}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    if status == 201:
        headers["Location"] = f"/api/v1/appeals/{state.id}"
    log.info(
        "command",
        command=type(command).__name__,
        appeal_id=str(state.id),
        version=state.version,
        replayed=result.replayed,
    )
    return Response(mirror(state, AppealState), status_code=status, headers=headers)


@post(
    "/api/v1/appeals",
    status_code=201,
    tags=["appeals"],
    summary=RECEIVE.summary,
    guards=[roles(PERMISSIONS[RECEIVE.command], RECEIVE.name)],
)
async def receive_appeal(
    request: Request[Any, Any, Any],
    data: ReceiveAppeal,
    appeals: AppealsApplication,
    idempotency_key: IdempotencyKey = None,
) -> Response[AppealState]:
    return await sync_to_thread(_receive, actor_of(request), data, appeals, idempotency_key)


def _receive(
    actor: Actor, data: ReceiveAppeal, appeals: AppealsApplication, idempotency_key: str | None
) -> Response[AppealState]:
    command = RECEIVE.to_command(data)
    claim = _claim(actor, idempotency_key, "receive", command)
    return _command_response(command, appeals.receive(command, actor=actor, idempotency=claim), 201)


def _lifecycle_route(action: AppealAction) -> HTTPRouteHandler:
    def handler(
        request: Request[Any, Any, Any],
        appeal_id: UUID,
        data: Any,
        appeals: AppealsApplication,
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[AppealState]:
        actor = actor_of(request)  # the department executor's rule: the domain's, on the appeal
        command = action.to_command(data)
        result = appeals.handle(
            appeal_id,
            command,
            actor=actor,
            expected_version=expected_version(if_match),
            idempotency=_claim(actor, idempotency_key, f"{appeal_id}/{action.name}", command),
        )
        return _command_response(command, result, 200)

    handler.__annotations__["data"] = action.request
    handler.__name__ = f"appeal_{action.name.replace('-', '_')}"
    return post(
        f"/api/v1/appeals/{{appeal_id:uuid}}/{action.name}",
        sync_to_thread=True,
        status_code=200,
        tags=["appeal lifecycle"],
        summary=action.summary,
        operation_id=handler.__name__,
        guards=[roles(PERMISSIONS[action.command], action.name, system=action.system)],
    )(handler)


LIFECYCLE_ROUTES = [_lifecycle_route(action) for action in LIFECYCLE]
