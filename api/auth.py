"""Bearer-token authentication (the token names the actor of every event the request records),
then the routes' role guards, both before anything of the request is parsed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import anyio
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler
from litestar.middleware import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
    DefineMiddleware,
)
from litestar.types import ASGIApp, Receive, Scope, Send

from api.errors import ApiProblem, on_http_error, send_problem
from api.outage import OUTAGE_ERRORS, on_database_unavailable
from domain.shared.actors import Actor, Role, within_department

Authenticator = Callable[[str], Actor | None]
PUBLIC = "public"  # a route handler's opt key: no token needed
PUBLIC_ROUTE = {PUBLIC: True}
OPENAPI_PATH = "/schema"  # the OpenAPI and its renderings: public
BEARER_REQUIRED = "an 'Authorization: Bearer <token>' header is required"


def actor_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """The request's actor: set by ``TokenAuthentication`` before anything of the request was
    read (a route it did not authenticate has none: 401)."""
    user = connection.scope.get("user")
    if not isinstance(user, Actor):
        raise NotAuthorizedException(BEARER_REQUIRED)
    return user


def require_role(actor: Actor, roles: Iterable[Role], action: str) -> None:
    allowed = frozenset(roles)
    if actor.role not in allowed:
        raise ApiProblem(
            403,
            "forbidden",
            "Forbidden",
            f"the role '{actor.role}' may not {action}; allowed: {', '.join(sorted(allowed))}",
        )


def department_scope(actor: Actor, asked: str | None, refusal: str) -> str | None:
    """The department a list is narrowed to (the domain's department rule): a department
    executor's own, whatever they asked (another one is 403, ``refusal`` saying why); any other
    role's, the one asked, if any."""
    if asked is not None and not within_department(actor, asked):
        raise ApiProblem(403, "forbidden", "Forbidden", refusal)
    return actor.department if actor.role is Role.EXECUTOR else asked


def require_department(actor: Actor, department: str | None) -> None:
    """One appeal, read (the domain's department rule): a department executor reads it only
    while it is their department's."""
    if not within_department(actor, department):
        raise ApiProblem(
            403,
            "forbidden",
            "Forbidden",
            "a department executor sees only appeals assigned to their department",
        )


@dataclass(frozen=True)
class RoleGuard:
    """A route's guard: the roles that may call it. Litestar runs it once the router has matched
    the path and before it parses the query, headers or body, so a role that may not act gets 403
    and learns nothing of their schema or of the version. Department rules need the appeal: they
    stay with the handler and the domain."""

    allowed: frozenset[Role]
    action: str  # what the role may not do, in the 403's words

    async def __call__(
        self, connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
    ) -> None:
        require_role(actor_of(connection), self.allowed, self.action)


def roles(allowed: Iterable[Role], action: str, *, system: bool = False) -> RoleGuard:
    """The guard of a route that ``allowed`` may call (a domain's table of permissions, or a set
    of readers). The system role only where the route says ``system``: through the API the
    deadline watcher records breaches, nothing else (no methodology, policy, calendar day,
    escalation or resurfacing)."""
    permitted = frozenset(allowed)
    if not system:
        permitted -= {Role.SYSTEM}
    return RoleGuard(permitted, action)


def guard_of(handler: BaseRouteHandler) -> RoleGuard | None:
    """The role guard declared on a route handler, if any (what the tests read)."""
    return next((g for g in handler.guards or () if isinstance(g, RoleGuard)), None)


class TokenAuthentication(AbstractAuthenticationMiddleware):
    """The bearer token becomes the request's user (an ``Actor``) before anything of the request
    is parsed, so a stranger gets 401 and learns nothing of the body's schema. Public routes (the
    portal's ratings and methodologies, published refutations, health, metrics, the OpenAPI) opt
    out with ``opt=PUBLIC_ROUTE``. A token the process keeps (``cached``: no I/O, None when it
    keeps nothing for it) is answered on the event loop; any other is looked up off it."""

    def __init__(
        self,
        app: ASGIApp,
        authenticate: Authenticator,
        cached: Authenticator | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(app, exclude_from_auth_key=PUBLIC, exclude=[f"^{OPENAPI_PATH}"], **kwargs)
        self.authenticate = authenticate
        self.cached = cached

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The refusal is answered here, as a response, so that the request's log line, its
        request id and the metrics (the middleware outside this one) see the 401 or 503: the
        same problems the handlers answer."""
        try:
            await super().__call__(scope, receive, send)
        except NotAuthorizedException as refused:
            if "user" in scope:  # raised further in, after the token was accepted: not ours
                raise
            await send_problem(on_http_error, refused, scope, receive, send)
        except OUTAGE_ERRORS as error:  # the token could not be looked up
            if "user" in scope:
                raise
            await send_problem(on_database_unavailable, error, scope, receive, send)

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException(BEARER_REQUIRED)
        secret = token.strip()
        actor = self.cached(secret) if self.cached is not None else None
        if actor is None:
            actor = await anyio.to_thread.run_sync(self.authenticate, secret)
        if actor is None:
            raise NotAuthorizedException("the token is unknown or revoked")
        return AuthenticationResult(user=actor, auth=secret)


def token_authentication(
    authenticate: Authenticator, cached: Authenticator | None = None
) -> DefineMiddleware:
    return DefineMiddleware(TokenAuthentication, authenticate=authenticate, cached=cached)
