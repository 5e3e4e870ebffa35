"""The one place that maps exceptions to RFC 9457 problem responses (application/problem+json)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException

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
from projections.engine.model import ProjectionBehind, ProjectionNotReady

log = structlog.get_logger("otklik.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"

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
    body: dict[str, Any] = {
        "type": f"urn:otklik:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def on_domain_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, DomainError)
    status, title = next(
        (value for cls, value in _STATUS.items() if isinstance(exc, cls)), (422, "Domain error")
    )
    return problem(request, status, exc.code, title, exc.message)


def on_api_problem(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, ApiProblem)
    return problem(request, exc.status, exc.code, exc.title, exc.detail, headers=exc.headers)


def on_validation_error(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, Any]]:
    assert isinstance(exc, ValidationException)
    errors = exc.extra if isinstance(exc.extra, list) else []
    return problem(
        request,
        400,
        "invalid-request",
        "The request is malformed",
        str(exc.detail),
        errors=[_clean(e) for e in errors],
    )


def _clean(error: Any) -> Any:
    # Litestar echoes the offending value; it may be personal data, so keep only key and message.
    if isinstance(error, dict):
        return {k: v for k, v in error.items() if k in ("key", "message", "source")}
    return str(error)


def on_http_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if isinstance(exc, NotAuthorizedException):
        headers.setdefault("WWW-Authenticate", "Bearer")
    code = {401: "unauthenticated", 404: "not-found", 405: "method-not-allowed"}.get(
        exc.status_code, "http-error"
    )
    return problem(
        request, exc.status_code, code, _reason(exc.status_code), str(exc.detail), headers=headers
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


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("request.unexpected_error", error=type(exc).__name__)
    return problem(
        request,
        500,
        "internal-error",
        "Internal error",
        "the server failed to handle the request; nothing was changed by it",
    )


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    DomainError: on_domain_error,
    ApiProblem: on_api_problem,
    ValidationException: on_validation_error,
    HTTPException: on_http_error,
    ProjectionNotReady: on_projection_not_ready,
    ProjectionBehind: on_projection_behind,
    Exception: on_unexpected,
}
