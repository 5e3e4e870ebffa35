"""The database away (unreachable, frozen, restarting, too slow to answer) → 503 problem+json with
Retry-After: come back in a few seconds; not an internal error. The body and the log line carry
the exception's class only (a driver's message may quote what was sent). For a command it says
what to do next: not to send it again when it was recorded (the position written); else to repeat
it with the same Idempotency-Key where the route takes one and the request carried it, or to check
its effect before sending it again."""

from __future__ import annotations

from typing import Any

import psycopg
import structlog
from eventsourcing.persistence import InterfaceError, OperationalError
from litestar import Request, Response
from litestar.enums import ParamType
from litestar.handlers import BaseRouteHandler
from litestar.params import ParameterKwarg

from api import written
from api.errors import problem

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
IDEMPOTENCY_HEADER = "idempotency-key"


def takes(handler: BaseRouteHandler | None, where: ParamType, name: str) -> bool:
    """Whether the route handler reads the header (any case) or the query parameter ``name``,
    declared with ``Parameter(header=…)``/``Parameter(query=…)`` or ``HeaderParameter``/
    ``QueryParameter`` (a parameter declared with neither is a query parameter of its own name)."""
    if handler is None:  # no route matched
        return False
    for field, parameter in handler.parsed_fn_signature.parameters.items():
        kwarg = parameter.kwarg_definition
        if isinstance(kwarg, ParameterKwarg):
            declared, place = kwarg.name or field, kwarg.param_type
        else:
            declared, place = field, ParamType.QUERY
        if place is where and declared.lower() == name.lower():
            return True
    return False


def _advice(request: Request[Any, Any, Any]) -> str:
    """What to do about a command that may or may not have been recorded: a repeat with the same
    key is recorded once only where the route takes the key and the request carried one."""
    if takes(request.scope.get("route_handler"), ParamType.HEADER, IDEMPOTENCY_HEADER):
        if request.headers.get(IDEMPOTENCY_HEADER):
            return "repeat it with the same Idempotency-Key, so that it is recorded once"
        return (
            "check its effect (reload what it changes) before sending it again; this route"
            " takes an Idempotency-Key, with which a repeat is recorded once"
        )
    return "check its effect (reload what it changes) before sending it again"


def on_database_unavailable(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, Any]]:
    log.warning("request.database_unavailable", error=type(exc).__name__)
    detail = (
        f"the database is unavailable or did not answer in time; retry in {RETRY_AFTER_SECONDS} s"
    )
    position = written.last_position()
    extra: dict[str, Any] = {}
    if position is not None:  # committed before the database went away: say what was written
        detail += (
            f"; the command was recorded (log position {position}) before the failure:"
            " do not send it again, reload what it changed"
        )
        extra["position"] = position
    elif request.method not in _SAFE_METHODS:
        detail += "; the command may or may not have been recorded: " + _advice(request)
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
