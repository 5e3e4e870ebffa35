"""The one place that maps exceptions to RFC 9457 problem responses (application/problem+json)."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.types import Receive, Scope, Send

from api import written
from api.redaction import (
    http_detail,
    route_path,
    status_phrase,
    validation_detail,
    validation_errors,
)
from domain.shared.errors import (
    ConcurrencyConflict,
    DomainError,
    Forbidden,
    IdempotencyKeyReused,
    InvalidCommand,
    NotFound,
    RuleViolated,
    VersionMismatch,
)
from projections.engine.model import ProjectionBehind, ProjectionFailed, ProjectionNotReady

log = structlog.get_logger("otklik.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
ProblemHandler = Callable[[Request[Any, Any, Any], Exception], Response[dict[str, Any]]]

_STATUS: dict[type[DomainError], tuple[int, str]] = {
    InvalidCommand: (422, "The command breaks a rule"),
    RuleViolated: (409, "The appeal's state does not allow this"),
    NotFound: (404, "Not found"),
    Forbidden: (403, "Forbidden"),
    VersionMismatch: (412, "Precondition failed: the version has changed"),
    ConcurrencyConflict: (409, "Concurrent change"),
    IdempotencyKeyReused: (422, "Idempotency-Key reused"),
}


class ApiProblem(Exception):
    """A problem raised by the API layer itself (bad header, bad query parameter)."""

    def __init__(
        self, status: int, code: str, title: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.headers = headers or {}


def problem(
    request: Request[Any, Any, Any],
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    """An RFC 9457 problem; ``instance`` is the route's template, never the path or query sent."""
    body = {
        "type": f"urn:otklik:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": route_path(request.scope),
        **extra,
    }
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


async def send_problem(
    handler: ProblemHandler, exc: Exception, scope: Scope, receive: Receive, send: Send
) -> None:
    """Send ``handler``'s answer to ``exc`` from a middleware, before any route handler ran (the
    route's own handler for it where the route declares one: Open311's error shape)."""
    own = getattr(scope.get("route_handler"), "exception_handlers", None) or {}
    handler = next((own[c] for c in type(exc).__mro__ if c in own), handler)
    request: Request[Any, Any, Any] = Request(scope, receive)
    await handler(request, exc).to_asgi_response(app=None, request=request)(scope, receive, send)


def on_domain_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, DomainError)
    status, title = next(
        (value for cls, value in _STATUS.items() if isinstance(exc, cls)), (422, "Domain error")
    )
    detail = exc.message
    if isinstance(exc, VersionMismatch):
        # the domain's message repeats the version the caller sent; only the current one here
        detail = (
            f"the current version is {exc.actual}, not the one If-Match named; "
            "reload and decide again"
        )
    return problem(request, status, exc.code, title, detail, **exc.extra)


def on_api_problem(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, ApiProblem)
    return problem(request, exc.status, exc.code, exc.title, exc.detail, headers=exc.headers)


def on_validation_error(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, Any]]:
    assert isinstance(exc, ValidationException)
    # msgspec and Litestar repeat the offending value (it may be personal data) and the query
    # string: only the rule, the field's name and where it came from are kept.
    errors = validation_errors(exc.extra)
    detail = validation_detail(str(exc.detail), errors)
    return problem(
        request, 400, "invalid-request", "The request is malformed", detail, errors=errors
    )


def on_http_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if isinstance(exc, NotAuthorizedException):
        headers.setdefault("WWW-Authenticate", "Bearer")
    code = {401: "unauthenticated", 404: "not-found", 405: "method-not-allowed"}.get(
        exc.status_code, "http-error"
    )
    detail = http_detail(exc.status_code, str(exc.detail))
    return problem(
        request, exc.status_code, code, status_phrase(exc.status_code), detail, headers=headers
    )


def on_projection_not_ready(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, Any]]:
    assert isinstance(exc, ProjectionNotReady)
    return problem(
        request,
        503,
        "projection-not-ready",
        "The view is being built",
        str(exc),
        headers={"Retry-After": "5"},
        projection=exc.name,
    )


def on_projection_behind(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, Any]]:
    assert isinstance(exc, ProjectionBehind)
    return problem(
        request,
        503,
        "projection-behind",
        "The view has not reached the requested position yet",
        str(exc),
        headers={"Retry-After": "1"},
        projection=exc.name,
        min_position=exc.wanted,
        position=exc.reached,
    )


def on_projection_failed(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, Any]]:
    """Not "retry": the view will not move until an operator repairs it (docs/recovery.md), so
    503 projection-failed, with no Retry-After."""
    assert isinstance(exc, ProjectionFailed)
    where = f" at log position {exc.failed_at}" if exc.failed_at is not None else ""
    extra: dict[str, Any] = {
        "projection": exc.name,
        "version": exc.version,
        "position": exc.reached,
        "failed_at": exc.failed_at,
    }
    if exc.wanted is not None:
        extra["min_position"] = exc.wanted
    return problem(
        request,
        503,
        "projection-failed",
        "The view has failed",
        f"the {exc.name} view stopped on the event{where} and stays at log position"
        f" {exc.reached} until an operator repairs it; waiting will not help",
        **extra,
    )


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    # The type and where it was raised, not the message: messages can carry the request's values.
    log.error(
        "request.unexpected_error",
        error=f"{type(exc).__module__}.{type(exc).__qualname__}",
        causes=[type(c).__qualname__ for c in _causes(exc)],
        frames=[
            f"{f.filename}:{f.lineno} {f.name}" for f in traceback.extract_tb(exc.__traceback__)
        ],
    )
    position = written.last_position()
    if position is not None:  # the command was committed before the failure: say so
        return problem(
            request,
            500,
            "internal-error-after-write",
            "Internal error after the command was recorded",
            f"the command was recorded in the log (position {position}), then the server failed;"
            " do not send it again: reload what it changed",
            position=position,
        )
    return problem(
        request,
        500,
        "internal-error",
        "Internal error",
        "the server failed to handle the request; nothing was changed by it",
    )


def _causes(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current = exc.__cause__ or exc.__context__
    while current is not None and len(found) < 5:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    DomainError: on_domain_error,
    ApiProblem: on_api_problem,
    ValidationException: on_validation_error,
    HTTPException: on_http_error,
    ProjectionNotReady: on_projection_not_ready,
    ProjectionBehind: on_projection_behind,
    ProjectionFailed: on_projection_failed,  # a ProjectionNotReady, answered apart
    Exception: on_unexpected,
}
