"""Reads of the access tables (``accounts``, ``api_tokens``), which an account's decisions write in
their own transaction (no view to wait for): the accounts, an account's tokens, a token's owner.
Never a secret or its hash."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec
from psycopg_pool import ConnectionPool

from domain.shared.actors import Role


class AccountSummary(msgspec.Struct, frozen=True, kw_only=True):
    account_id: str
    person_id: str | None
    name: str
    roles: tuple[Role, ...]
    unit_id: str | None
    opened_at: datetime
    disabled_at: datetime | None
    version: int


class TokenSummary(msgspec.Struct, frozen=True, kw_only=True):
    token_id: UUID
    account_id: str | None  # None: a token made before accounts (see alembic 0007)
    name: str
    role: Role
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None  # to the minute: written at most once a minute
    revoked_at: datetime | None


_LISTED_COLUMNS = "id, account_id, name, role, created_at, expires_at, last_used_at, revoked_at"
NO_OWNER = ""  # the owner of a token made before accounts


def _token(row: tuple[object, ...]) -> TokenSummary:
    fields = dict(zip(TokenSummary.__struct_fields__, row, strict=True))
    return msgspec.convert(fields, TokenSummary, from_attributes=True, strict=False)


class AccessQueries:
    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def accounts(self, limit: int = 1000) -> list[AccountSummary]:
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT id, person_id, name, roles, unit_id, opened_at, disabled_at, version"
                " FROM accounts ORDER BY id LIMIT %s",
                (limit,),
            ).fetchall()
        names = AccountSummary.__struct_fields__
        return [msgspec.convert(dict(zip(names, r, strict=True)), AccountSummary) for r in rows]

    def tokens(self, account_id: str | None, limit: int = 1000) -> list[TokenSummary]:
        """An account's tokens, newest first (``None``: those made before accounts)."""
        where = "account_id = %s" if account_id is not None else "account_id IS NULL"
        params: tuple[object, ...] = (account_id,) if account_id is not None else ()
        with self.pool.connection() as conn:
            rows = conn.execute(
                f"SELECT {_LISTED_COLUMNS} FROM api_tokens WHERE {where}"
                " ORDER BY created_at DESC, id LIMIT %s",
                (*params, limit),
            ).fetchall()
        return [_token(r) for r in rows]

    def token(self, token_id: UUID) -> TokenSummary | None:
        with self.pool.connection() as conn:
            row = conn.execute(
                f"SELECT {_LISTED_COLUMNS} FROM api_tokens WHERE id = %s", (token_id,)
            ).fetchone()
        return _token(row) if row is not None else None

    def owner(self, token_id: UUID) -> str | None:
        """The account a token belongs to (``NO_OWNER`` for one made before accounts); None: no
        such token."""
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT account_id FROM api_tokens WHERE id = %s", (token_id,)
            ).fetchone()
        if row is None:
            return None
        return str(row[0]) if row[0] is not None else NO_OWNER
