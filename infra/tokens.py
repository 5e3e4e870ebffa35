"""Bearer tokens: created by `otklik token create`, stored as SHA-256 hashes, shown once."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from psycopg_pool import ConnectionPool

from domain.shared.actors import Actor, Role

TOKEN_PREFIX = "otk_"  # noqa: S105 (a prefix, not a secret)


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class TokenStore:
    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def create(self, *, role: Role, name: str, department: str | None = None) -> tuple[str, Actor]:
        if role is Role.EXECUTOR and not department:
            raise ValueError("an executor's token needs the department it acts for")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token_id = uuid.uuid4()
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO api_tokens (id, name, role, department, token_hash)"
                " VALUES (%s, %s, %s, %s, %s)",
                (token_id, name, role.value, department, _hash(token)),
            )
        return token, Actor(id=str(token_id), role=role, name=name, department=department)

    def authenticate(self, token: str) -> Actor | None:
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT id, name, role, department FROM api_tokens"
                " WHERE token_hash = %s AND revoked_at IS NULL",
                (_hash(token),),
                prepare=True,
            ).fetchone()
        if row is None:
            return None
        return Actor(id=str(row[0]), name=row[1], role=Role(row[2]), department=row[3])

    def revoke(self, token_id: str) -> bool:
        with self.pool.connection() as conn:
            cur = conn.execute(
                "UPDATE api_tokens SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL",
                (token_id,),
            )
            return cur.rowcount == 1
