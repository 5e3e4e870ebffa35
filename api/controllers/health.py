"""Liveness and readiness (database reachable and migrations applied; degraded while a read
model's build has failed on an event)."""

from collections.abc import Callable
from typing import Any

import psycopg
from litestar import Request, Response, get

from api.auth import PUBLIC_ROUTE
from api.errors import problem
from api.outage import RETRY_AFTER_SECONDS
from api.services import Readiness
from projections.engine.status import FailedBuild


@get("/health/live", sync_to_thread=False, tags=["health"], opt=PUBLIC_ROUTE)
def live() -> dict[str, str]:
    return {"status": "live"}


@get("/health/ready", sync_to_thread=True, tags=["health"], opt=PUBLIC_ROUTE)
def ready(
    request: Request[Any, Any, Any],
    readiness: Readiness,
    failed_builds: Callable[[], list[FailedBuild]],
) -> Response[dict[str, Any]]:
    # The check waits on the database a second or two at most (the composition root bounds it),
    # so a probe gets a quick answer when the database is away.
    ok, detail = readiness()
    failed = []
    if ok:
        try:
            failed = failed_builds()
        except (psycopg.Error, TimeoutError) as error:
            ok, detail = False, f"database: {type(error).__name__}"
    if not ok:
        retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return problem(request, 503, "not-ready", "Not ready", detail, headers=retry)
    if failed:
        # Degraded, not down: the other routes, commands included, still work, and every
        # instance would say the same, so a 503 would only take them all out of the balancer
        # (and hold back the deploy of the fix). Monitoring reads the body (README, Health).
        views = ", ".join(sorted({f.projection for f in failed}))
        return Response(
            {"status": "degraded", "detail": f"{detail}; failed views: {views}", "failed": failed}
        )
    return Response({"status": "ready", "detail": detail})
