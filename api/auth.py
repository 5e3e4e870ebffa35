"""Bearer-token authentication: the token names the actor of every event the request records."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException

from api.errors import ApiProblem
from domain.shared.actors import Actor, Role

Authenticator = Callable[[str], Actor | None]
# Through the API the system role (the deadline watcher, the re-timer) records breaches and
# re-timings, nothing else: no methodology, policy, calendar day, escalation or resurfacing.
SYSTEM_ACTIONS = frozenset({"record-breach", "retime-deadlines"})


def bearer_token(request: Request[Any, Any, Any]) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException("an 'Authorization: Bearer <token>' header is required")
    return token.strip()


def authenticated(request: Request[Any, Any, Any], authenticate: Authenticator) -> Actor:
    actor = authenticate(bearer_token(request))
    if actor is None:
        raise NotAuthorizedException("the token is unknown or revoked")
    return actor


def require_role(actor: Actor, roles: Iterable[Role], action: str) -> None:
    allowed = frozenset(roles)
    if actor.role not in allowed:
        raise ApiProblem(
            403,
            "forbidden",
            "Forbidden",
            f"the role '{actor.role}' may not {action}; allowed: {', '.join(sorted(allowed))}",
        )


def require_command_role(actor: Actor, roles: Iterable[Role], action: str) -> None:
    """The role check of a command route, before its body's values or its If-Match count."""
    allowed = frozenset(roles)
    if action not in SYSTEM_ACTIONS:
        allowed -= {Role.SYSTEM}
    require_role(actor, allowed, action)
