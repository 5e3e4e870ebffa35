"""What an account's decision saves beside its events, in the same transaction: the account's row
and its tokens' rows, the tables authentication and the lists read (so a revocation or a disabling
is seen by the next request)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from domain.access.events import AccessEvent, AccountDisabled, TokenIssued, TokenRevoked
from domain.access.state import Account
from domain.shared.actors import Role


class AccountRow(msgspec.Struct, frozen=True, kw_only=True):
    account_id: str
    person_id: str | None
    name: str
    roles: tuple[Role, ...]
    unit_id: str | None
    opened_at: datetime
    disabled_at: datetime | None
    version: int


class TokenRow(msgspec.Struct, frozen=True, kw_only=True):
    token_id: UUID
    account_id: str
    name: str
    role: Role
    secret_hash: str  # hex
    issued_at: datetime
    expires_at: datetime


class AccessRecords(msgspec.Struct, frozen=True, kw_only=True):
    account: AccountRow
    issued: tuple[TokenRow, ...] = ()
    revoked: tuple[tuple[UUID, datetime], ...] = ()
    # the account was disabled at this time: every token of it ends (those issued before the
    # access log too, should one be attached to it)
    disabled_at: datetime | None = None


def access_records(state: Account, events: Sequence[AccessEvent]) -> AccessRecords:
    issued = tuple(
        TokenRow(
            token_id=e.token_id,
            account_id=e.account_id,
            name=e.name,
            role=e.role,
            secret_hash=e.secret_hash,
            issued_at=e.timestamp,
            expires_at=e.expires_at,
        )
        for e in events
        if isinstance(e, TokenIssued)
    )
    revoked = tuple((e.token_id, e.timestamp) for e in events if isinstance(e, TokenRevoked))
    disabled = next((e.timestamp for e in events if isinstance(e, AccountDisabled)), None)
    row = AccountRow(
        account_id=state.account_id,
        person_id=state.person_id,
        name=state.name,
        roles=state.roles,
        unit_id=state.unit_id,
        opened_at=state.opened_at,
        disabled_at=state.disabled_at,
        version=state.version,
    )
    return AccessRecords(account=row, issued=issued, revoked=revoked, disabled_at=disabled)
