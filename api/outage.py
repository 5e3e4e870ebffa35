"""The database away (unreachable, frozen, restarting, too slow to answer) → 503 problem+json with
Retry-After: come back in a few seconds; not an internal error. The body and the log line carry
the exception's class only (a driver's message may quote what was sent)."""

from __future__ import annotations

from typing import Any

import psycopg
import structlog
from eventsourcing.persistence import InterfaceError, OperationalError
from litestar import Request, Response

from api.errors import problem
from domain.shared import written

log = structlog.get_logger("otklik.api")

RETRY_AFTER_SECONDS = 5
# psycopg's OperationalError covers the pool's PoolTimeout, TooManyRequests and PoolClosed, a
# statement or lock timeout (QueryCanceled, LockNotAvailable), a server shutting down and the
# client's own "no answer in time"; the eventsourcing library wraps the same in its own classes.
OUTAGE_ERRORS: tuple[type[Exception], ...] = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    OperationalError,
    InterfaceError,
)
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def on_database_unavailable(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, Any]]:
    log.warning("request.database_unavailable", error=type(exc).__name__)
    detail = (
        f"the database is unavailable or did not answer in time; retry in {RETRY_AFTER_SECONDS} s"
    )
    record = written.current()
    position = record.last if record is not None else None
    extra: dict[str, Any] = {}
    if position is not None:  # committed before the database went away: say what was written
        detail += (
            f"; the command was recorded (log position {position}) before the failure:"
            " do not send it again, reload what it changed"
        )
        extra["position"] = position
    elif request.method not in _SAFE_METHODS:
        detail += (
            "; the command may or may not have been recorded: repeat it with the same"
            " Idempotency-Key (or check its effect first) so that it is recorded once"
        )
    return problem(
        request,
        503,
        "database-unavailable",
        "Service unavailable",
        detail,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        **extra,
    )


OUTAGE_HANDLERS: dict[type[Exception] | int, Any] = dict.fromkeys(
    OUTAGE_ERRORS, on_database_unavailable
)
