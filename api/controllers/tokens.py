"""Tokens: one's own listed (an administrator: any account's), revoked and rotated by their id.
A list shows ids, names, roles and times, never a secret or its hash."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, Response, get, post
from litestar.params import Parameter

from api.auth import actor_of, roles
from api.controllers.accounts import OWN_TOKENS_ONLY, TOKEN_HOLDERS, issued
from api.errors import ApiProblem
from api.schemas.access import IssuedToken, Token
from domain.access.commands import ACCOUNT_ID
from domain.access.service import AccessService
from domain.shared.actors import Actor, Role
from projections.access import NO_OWNER, AccessQueries, TokenSummary

HOLD = roles(TOKEN_HOLDERS, "hold tokens")
UNKNOWN = "there is no such token"
AccountParameter = Annotated[
    str | None,
    Parameter(
        query="account",
        required=False,
        pattern=ACCOUNT_ID,
        description="Administrators: the account whose tokens to list (default: one's own).",
    ),
]


def listed(token: TokenSummary) -> Token:
    fields = msgspec.structs.asdict(token)
    return Token(id=fields.pop("token_id"), **fields)


def _owner(actor: Actor, token_id: UUID, access_queries: AccessQueries) -> str:
    """The account of a token the actor may manage: its own, or any for an administrator (a
    token of another's is not found, as one that does not exist; one made before accounts is
    ended by ``otklik token revoke``)."""
    owner = access_queries.owner(token_id)
    if owner is None or owner == NO_OWNER:
        raise ApiProblem(404, "not-found", "Not found", UNKNOWN)
    if actor.role is not Role.ADMINISTRATOR and owner != actor.id:
        raise ApiProblem(404, "not-found", "Not found", UNKNOWN)
    return owner


@get("/api/v1/tokens", sync_to_thread=True, tags=["access"], guards=[HOLD])
def list_tokens(
    request: Request[Any, Any, Any], access_queries: AccessQueries, account: AccountParameter = None
) -> list[Token]:
    """One's own tokens, newest first (an administrator may name another ``account``)."""
    actor = actor_of(request)
    if account is not None and account != actor.id and actor.role is not Role.ADMINISTRATOR:
        raise ApiProblem(403, "forbidden", "Forbidden", OWN_TOKENS_ONLY)
    found = access_queries.tokens(account or actor.id)
    return [
        Token(
            id=t.token_id, **{k: v for k, v in msgspec.structs.asdict(t).items() if k != "token_id"}
        )
        for t in found
    ]


@post(
    "/api/v1/tokens/{token_id:uuid}/revoke",
    status_code=200,
    sync_to_thread=True,
    tags=["access"],
    guards=[HOLD],
)
def revoke_token(
    request: Request[Any, Any, Any],
    token_id: UUID,
    access: AccessService,
    access_queries: AccessQueries,
) -> Token:
    """Revoke a token (one's own, or any for an administrator): the next request with it is 401."""
    actor = actor_of(request)
    owner = _owner(actor, token_id, access_queries)
    access.revoke(owner, token_id, actor=actor)
    revoked = access_queries.token(token_id)
    assert revoked is not None
    return listed(revoked)


@post(
    "/api/v1/tokens/{token_id:uuid}/rotate",
    status_code=201,
    sync_to_thread=True,
    tags=["access"],
    guards=[HOLD],
)
def rotate_token(
    request: Request[Any, Any, Any],
    token_id: UUID,
    access: AccessService,
    access_queries: AccessQueries,
) -> Response[IssuedToken]:
    """Revoke a token and issue a new one with its name, role and lifetime; the new secret is in
    this answer only."""
    actor = actor_of(request)
    owner = _owner(actor, token_id, access_queries)
    return issued(access.rotate(owner, token_id, actor=actor))


TOKEN_ROUTES = [list_tokens, revoke_token, rotate_token]
