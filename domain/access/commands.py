"""What may be asked of an account: open it, change its roles, disable and enable it, issue, revoke
and rotate its tokens. The secret of a token is made outside the decision; the decision sees its
hash only."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

from domain.shared.actors import Role
from domain.shared.inputs import Code, Input, line

# A token lives at least a minute and at most a year (the default: OTKLIK_TOKEN_TTL_DAYS, 90).
MIN_TOKEN_SECONDS = 60
MAX_TOKEN_SECONDS = 366 * 86_400
DEFAULT_TOKEN_DAYS = 90
ACCOUNT_ID = r"^[a-z0-9][a-z0-9._-]{0,62}$"  # a code an administrator keeps: a.petrova, svc-bench

AccountId = Annotated[str, msgspec.Meta(pattern=ACCOUNT_ID)]
DisplayName = Annotated[str, line(200)]
Roles = Annotated[tuple[Role, ...], msgspec.Meta(min_length=1, max_length=len(Role))]
Lifetime = Annotated[int, msgspec.Meta(ge=MIN_TOKEN_SECONDS, le=MAX_TOKEN_SECONDS)]


class OpenAccount(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    account_id: AccountId
    person_id: Code | None = None
    name: DisplayName
    roles: Roles
    unit_id: Code | None = None


class ChangeRoles(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    roles: Roles
    unit_id: Code | None = None


class DisableAccount(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Annotated[str, line(500)]


class EnableAccount(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Enabling brings back no token: new ones are issued."""


class IssueToken(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    token_id: UUID
    name: Annotated[str, line(200)]
    role: Role
    lifetime_seconds: Lifetime
    secret_hash: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]


class RevokeToken(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    token_id: UUID


class RotateToken(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Revoke ``token_id`` and issue ``new_token_id`` with its name, role and lifetime."""

    token_id: UUID
    new_token_id: UUID
    secret_hash: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]


AccessCommand = (
    OpenAccount
    | ChangeRoles
    | DisableAccount
    | EnableAccount
    | IssueToken
    | RevokeToken
    | RotateToken
)
