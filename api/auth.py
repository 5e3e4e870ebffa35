"""Bearer-token authentication: the token names the actor of every event the request records."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import anyio
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
    DefineMiddleware,
)
from litestar.types import ASGIApp

from api.errors import ApiProblem
from domain.shared.actors import Actor, Role

Authenticator = Callable[[str], Actor | None]
PUBLIC = "public"  # a route handler's opt key: no token needed
PUBLIC_ROUTE = {PUBLIC: True}
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
    """The request's actor: set by ``TokenAuthentication`` before the request was parsed (or, for
    an app built without it, looked up here)."""
    user = request.scope.get("user")
    if isinstance(user, Actor):
        return user
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


class TokenAuthentication(AbstractAuthenticationMiddleware):
    """The bearer token becomes the request's user (an ``Actor``) before anything of the request
    is parsed, so a stranger gets 401 and learns nothing of the body's schema. Public routes (the
    portal's ratings and methodologies, published refutations, health, metrics, the OpenAPI) opt
    out with ``opt={"public": True}``; the token lookup runs off the event loop."""

    def __init__(self, app: ASGIApp, authenticate: Authenticator, **kwargs: Any) -> None:
        super().__init__(app, exclude_from_auth_key=PUBLIC, exclude=["^/schema"], **kwargs)
        self.authenticate = authenticate

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException("an 'Authorization: Bearer <token>' header is required")
        actor = await anyio.to_thread.run_sync(self.authenticate, token.strip())
        if actor is None:
            raise NotAuthorizedException("the token is unknown or revoked")
        return AuthenticationResult(user=actor, auth=token.strip())


def token_authentication(authenticate: Authenticator) -> DefineMiddleware:
    return DefineMiddleware(TokenAuthentication, authenticate=authenticate)
