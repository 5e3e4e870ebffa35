"""Liveness and readiness (database reachable and migrations applied)."""

from typing import Any

from litestar import Request, Response, get

from api.errors import problem
from api.services import Services


@get("/health/live", sync_to_thread=False, tags=["health"])
def live() -> dict[str, str]:
    return {"status": "live"}


@get("/health/ready", sync_to_thread=True, tags=["health"])
def ready(request: Request[Any, Any, Any], services: Services) -> Response[dict[str, Any]]:
    ok, detail = services.readiness()
    if ok:
        return Response({"status": "ready", "detail": detail})
    return problem(request, 503, "not-ready", "Not ready", detail)
