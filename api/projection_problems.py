"""The problem a read answers when its view has failed on an event: not "retry" (it will not move
until an operator repairs it, docs/recovery.md), but 503 projection-failed, with no Retry-After."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from api.errors import problem
from projections.engine.model import ProjectionFailed


def on_projection_failed(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, Any]]:
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


PROJECTION_PROBLEMS: dict[type[Exception] | int, Any] = {ProjectionFailed: on_projection_failed}
