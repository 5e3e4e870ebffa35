"""Appeals: receive, and one route per lifecycle command (the reads: ``appeal_reads``)."""

# No `from __future__ import annotations` here: the lifecycle routes are built from the command
# classes, and Litestar reads their annotations as real types.
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
from api.schemas import (
    etag,
    expected_version,
)
from api.services import Services
from domain.appeals import commands as cmd
from domain.appeals.application import CommandResult, IdempotencyClaim
from domain.appeals.decide import PERMISSIONS
from domain.appeals.state import AppealState
from domain.shared.actors import (
    Actor,
)

log = structlog.get_logger("otklik.api")
_ENCODER = msgspec.json.Encoder()


def _claim(actor: Actor, key: str | None, what: str, data: cmd.Command) -> IdempotencyClaim | None:
    if key is None:
        return None
    fingerprint = hashlib.sha256(what.encode() + b"\n" + _ENCODER.encode(data)).hexdigest()
    return IdempotencyClaim(principal=actor.id, key=key, fingerprint=fingerprint)


def _command_response(result: CommandResult, status: int) -> Response[AppealState]:
    headers = {"ETag": etag(result.state.version), POSITION_HEADER: str(result.position)}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    if status == 201:
        headers["Location"] = f"/api/v1/appeals/{result.state.id}"
    return Response(result.state, status_code=status, headers=headers)


@post(
    "/api/v1/appeals",
    status_code=201,
    tags=["appeals"],
    summary=cmd.ReceiveAppeal.summary,
    guards=[roles(PERMISSIONS[cmd.ReceiveAppeal], cmd.ReceiveAppeal.route)],
)
async def receive_appeal(
    request: Request[Any, Any, Any],
    data: cmd.ReceiveAppeal,
    services: Services,
    idempotency_key: IdempotencyKey = None,
) -> Response[AppealState]:
    return await sync_to_thread(_receive, request, data, services, idempotency_key)


def _receive(
    request: Request[Any, Any, Any],
    data: cmd.ReceiveAppeal,
    services: Services,
    idempotency_key: str | None,
) -> Response[AppealState]:
    actor = actor_of(request)
    result = services.appeals.receive(
        data, actor=actor, idempotency=_claim(actor, idempotency_key, "receive", data)
    )
    log.info(
        "command",
        command="ReceiveAppeal",
        appeal_id=str(result.state.id),
        version=result.state.version,
        replayed=result.replayed,
    )
    return _command_response(result, 201)


def _lifecycle_route(command_type: type[cmd.Command]) -> HTTPRouteHandler:
    def handler(
        request: Request[Any, Any, Any],
        appeal_id: UUID,
        data: Any,
        services: Services,
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[AppealState]:
        actor = actor_of(request)  # the department executor's rule: the domain's, on the appeal
        result = services.appeals.handle(
            appeal_id,
            data,
            actor=actor,
            expected_version=expected_version(if_match),
            idempotency=_claim(actor, idempotency_key, f"{appeal_id}/{command_type.route}", data),
        )
        log.info(
            "command",
            command=command_type.__name__,
            appeal_id=str(appeal_id),
            version=result.state.version,
            replayed=result.replayed,
        )
        return _command_response(result, 200)

    handler.__annotations__["data"] = command_type
    handler.__name__ = f"appeal_{command_type.route.replace('-', '_')}"
    return post(
        f"/api/v1/appeals/{{appeal_id:uuid}}/{command_type.route}",
        sync_to_thread=True,
        status_code=200,
        tags=["appeal lifecycle"],
        summary=command_type.summary,
        operation_id=handler.__name__,
        guards=[roles(PERMISSIONS[command_type], command_type.route)],
    )(handler)


LIFECYCLE_ROUTES = [_lifecycle_route(c) for c in cmd.LIFECYCLE_COMMANDS]
