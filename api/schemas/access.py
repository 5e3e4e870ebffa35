"""Accounts and tokens as the API shows them: an account, a new one, its roles; a token listed (its
id, name, role, times: never its secret or hash), a token issued (the secret, this once)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from domain.access.commands import MAX_TOKEN_SECONDS, MIN_TOKEN_SECONDS, AccountId, Roles
from domain.shared.actors import Role
from domain.shared.inputs import Code, Input, line


class NewAccount(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``account_id``: a code the administrator keeps (``a.petrova``); ``person_id``: the
    directory's person; ``unit_id``: the unit an executor acts for (required with that role)."""

    account_id: AccountId
    person_id: Code | None = None
    name: Annotated[str, line(200)]
    roles: Roles
    unit_id: Code | None = None


class AccountRoles(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The roles after the change; a token acting with a role withdrawn ends."""

    roles: Roles
    unit_id: Code | None = None


class Disabling(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Annotated[str, line(500)]


class NewToken(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``expires_in_seconds``: 60 s to a year; absent, the deployment's default (90 days)."""

    name: Annotated[str, line(200)]
    role: Role
    expires_in_seconds: (
        Annotated[int, msgspec.Meta(ge=MIN_TOKEN_SECONDS, le=MAX_TOKEN_SECONDS)] | None
    ) = None


class Token(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    account_id: str | None  # None: a token made before accounts
    name: str
    role: Role
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None  # to the minute
    revoked_at: datetime | None


class IssuedToken(msgspec.Struct, frozen=True, kw_only=True):
    """The secret is shown here once; only its hash is kept."""

    id: UUID
    account_id: str
    name: str
    role: Role
    created_at: datetime
    expires_at: datetime
    secret: str


class Account(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    person_id: str | None
    name: str
    roles: tuple[Role, ...]
    unit_id: str | None
    opened_at: datetime
    disabled_at: datetime | None
    version: int
