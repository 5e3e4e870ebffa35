"""An account as its events leave it: its person, roles and unit, whether it is disabled, and its
tokens (none of their secrets)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from domain.access.events import (
    AccessEvent,
    AccountDisabled,
    AccountEnabled,
    AccountOpened,
    AccountRolesChanged,
    RevocationReason,
    TokenIssued,
    TokenRevoked,
)
from domain.shared.actors import Role


class Token(msgspec.Struct, frozen=True, kw_only=True):
    token_id: UUID
    name: str
    role: Role
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    revoked_because: RevocationReason | None = None

    @property
    def lifetime(self) -> timedelta:
        return self.expires_at - self.issued_at


class Account(msgspec.Struct, frozen=True, kw_only=True):
    account_id: str
    person_id: str | None
    name: str
    roles: tuple[Role, ...]
    unit_id: str | None
    opened_at: datetime
    version: int  # the stream's version: the account's ETag
    disabled_at: datetime | None = None
    tokens: tuple[Token, ...] = ()

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None

    def token(self, token_id: UUID) -> Token | None:
        return next((t for t in self.tokens if t.token_id == token_id), None)


def _revoke(token: Token, at: datetime, reason: RevocationReason) -> Token:
    if token.revoked_at is not None:
        return token
    return msgspec.structs.replace(token, revoked_at=at, revoked_because=reason)


def evolve(state: Account | None, event: AccessEvent) -> Account:
    if isinstance(event, AccountOpened):
        return Account(
            account_id=event.account_id,
            person_id=event.person_id,
            name=event.name,
            roles=event.roles,
            unit_id=event.unit_id,
            opened_at=event.timestamp,
            version=event.originator_version,
        )
    assert state is not None, "an account's stream opens with AccountOpened"
    state = msgspec.structs.replace(state, version=event.originator_version)
    at = event.timestamp
    match event:
        case AccountRolesChanged():
            return msgspec.structs.replace(state, roles=event.roles, unit_id=event.unit_id)
        case AccountDisabled():
            ended = tuple(_revoke(t, at, RevocationReason.REVOKED) for t in state.tokens)
            return msgspec.structs.replace(state, disabled_at=at, tokens=ended)
        case AccountEnabled():
            return msgspec.structs.replace(state, disabled_at=None)
        case TokenIssued():
            token = Token(
                token_id=event.token_id,
                name=event.name,
                role=event.role,
                issued_at=at,
                expires_at=event.expires_at,
            )
            return msgspec.structs.replace(state, tokens=(*state.tokens, token))
        case TokenRevoked():
            tokens = tuple(
                _revoke(t, at, event.reason) if t.token_id == event.token_id else t
                for t in state.tokens
            )
            return msgspec.structs.replace(state, tokens=tokens)
    raise TypeError(f"not an account event: {type(event).__name__}")
