"""Accounts: open, list, read, disable, enable and change the roles of one (administrators; the
auditor and the head read them: who could do what), and issue a token to one (an administrator,
or the account itself)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.concurrency import sync_to_thread

from api.auth import actor_of, roles
from api.controllers.params import IfMatch
from api.errors import ApiProblem
from api.schemas.access import Account, AccountRoles, Disabling, IssuedToken, NewAccount, NewToken
from api.schemas.common import etag, expected_version, mirror
from domain.access import state
from domain.access.commands import ChangeRoles, OpenAccount
from domain.access.service import AccessService
from domain.access.service import IssuedToken as Issued
from domain.shared.actors import Role
from projections.access import AccessQueries

ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})
# who could do what, on any date: the administrator, the auditor and the head read accounts
ACCOUNT_READERS = frozenset({Role.ADMINISTRATOR, Role.AUDITOR, Role.HEAD})
# every person's own tokens (the system role's processes run inside the server: none)
TOKEN_HOLDERS = frozenset(Role)
MANAGE = roles(ADMINISTRATORS, "manage accounts")
READ = roles(ACCOUNT_READERS, "read accounts")
NO_ACCOUNT = "there is no such account"
OWN_TOKENS_ONLY = "only an administrator or the account itself manages its tokens"


def shown(account: state.Account) -> Response[Account]:
    body = Account(
        id=account.account_id,
        person_id=account.person_id,
        name=account.name,
        roles=account.roles,
        unit_id=account.unit_id,
        opened_at=account.opened_at,
        disabled_at=account.disabled_at,
        version=account.version,
    )
    return Response(body, headers={"ETag": etag(account.version)})


def issued(token: Issued) -> Response[IssuedToken]:
    body = IssuedToken(
        id=token.token.token_id,
        account_id=token.account.account_id,
        name=token.token.name,
        role=token.token.role,
        created_at=token.token.issued_at,
        expires_at=token.token.expires_at,
        secret=token.secret,
    )
    headers = {"Cache-Control": "no-store", "ETag": etag(token.account.version)}
    return Response(body, status_code=201, headers=headers)


@post("/api/v1/accounts", status_code=201, tags=["access"], guards=[MANAGE])
async def open_account(
    request: Request[Any, Any, Any], data: NewAccount, access: AccessService
) -> Response[Account]:
    """Open an account for a person (or a service) with its roles (administrator)."""
    command = mirror(data, OpenAccount)
    account = await sync_to_thread(access.open, command, actor=actor_of(request))
    answer = shown(account)
    answer.status_code = 201
    answer.headers["Location"] = f"/api/v1/accounts/{account.account_id}"
    return answer


@get("/api/v1/accounts", tags=["access"], guards=[READ])
async def list_accounts(access_queries: AccessQueries) -> list[Account]:
    """Every account, by id (administrator, auditor, head)."""
    found = await sync_to_thread(access_queries.accounts)
    return [
        Account(
            id=a.account_id,
            person_id=a.person_id,
            name=a.name,
            roles=a.roles,
            unit_id=a.unit_id,
            opened_at=a.opened_at,
            disabled_at=a.disabled_at,
            version=a.version,
        )
        for a in found
    ]


@get("/api/v1/accounts/{account_id:str}", sync_to_thread=True, tags=["access"], guards=[READ])
def get_account(account_id: str, access: AccessService) -> Response[Account]:
    """One account as its events leave it (administrator, auditor, head)."""
    account = access.account(account_id)
    if account is None:
        raise ApiProblem(404, "not-found", "Not found", NO_ACCOUNT)
    return shown(account)


@post(
    "/api/v1/accounts/{account_id:str}/disable",
    status_code=200,
    sync_to_thread=True,
    tags=["access"],
    guards=[MANAGE],
)
def disable_account(
    request: Request[Any, Any, Any],
    account_id: str,
    data: Disabling,
    access: AccessService,
    if_match: IfMatch = None,
) -> Response[Account]:
    """Disable an account (administrator; ``If-Match`` its version): every token of it ends at
    once, and enabling it again brings none back."""
    actor, version = actor_of(request), expected_version(if_match)
    return shown(access.disable(account_id, data.reason, actor=actor, expected_version=version))


@post(
    "/api/v1/accounts/{account_id:str}/enable",
    status_code=200,
    sync_to_thread=True,
    tags=["access"],
    guards=[MANAGE],
)
def enable_account(
    request: Request[Any, Any, Any],
    account_id: str,
    access: AccessService,
    if_match: IfMatch = None,
) -> Response[Account]:
    """Enable a disabled account (administrator; ``If-Match`` its version); it gets new tokens."""
    actor, version = actor_of(request), expected_version(if_match)
    return shown(access.enable(account_id, actor=actor, expected_version=version))


@post(
    "/api/v1/accounts/{account_id:str}/roles",
    status_code=200,
    sync_to_thread=True,
    tags=["access"],
    guards=[MANAGE],
)
def change_roles(
    request: Request[Any, Any, Any],
    account_id: str,
    data: AccountRoles,
    access: AccessService,
    if_match: IfMatch = None,
) -> Response[Account]:
    """Set an account's roles and unit (administrator; ``If-Match`` its version); its tokens
    acting with a role withdrawn end."""
    actor, version = actor_of(request), expected_version(if_match)
    command = mirror(data, ChangeRoles)
    return shown(access.change_roles(account_id, command, actor=actor, expected_version=version))


@post(
    "/api/v1/accounts/{account_id:str}/tokens",
    status_code=201,
    sync_to_thread=True,
    tags=["access"],
    guards=[roles(TOKEN_HOLDERS, "hold tokens")],
)
def issue_token(
    request: Request[Any, Any, Any], account_id: str, data: NewToken, access: AccessService
) -> Response[IssuedToken]:
    """Issue a token to an account (an administrator, or the account itself), acting with one of
    its roles; the secret is in this answer only."""
    actor = actor_of(request)
    if actor.role is not Role.ADMINISTRATOR and actor.id != account_id:
        raise ApiProblem(403, "forbidden", "Forbidden", OWN_TOKENS_ONLY)
    return issued(
        access.issue(
            account_id,
            name=data.name,
            role=data.role,
            actor=actor,
            lifetime_seconds=data.expires_in_seconds,
        )
    )


ACCOUNT_ROUTES = [
    open_account,
    list_accounts,
    get_account,
    disable_account,
    enable_account,
    change_roles,
    issue_token,
]
