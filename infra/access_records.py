"""The access records an account's decision saves with its events, in their transaction: the
account's row, its new tokens' rows, their revocations (a disabled account's: all of them)."""

from __future__ import annotations

from typing import Any

from psycopg import Cursor

from domain.access.records import AccessRecords


def insert_access_records(curs: Cursor[Any], record: AccessRecords) -> None:
    account = record.account
    curs.execute(
        "INSERT INTO accounts"
        " (id, person_id, name, roles, unit_id, opened_at, disabled_at, version)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (id) DO UPDATE SET person_id = EXCLUDED.person_id, name = EXCLUDED.name,"
        " roles = EXCLUDED.roles, unit_id = EXCLUDED.unit_id,"
        " disabled_at = EXCLUDED.disabled_at, version = EXCLUDED.version",
        (
            account.account_id,
            account.person_id,
            account.name,
            [r.value for r in account.roles],
            account.unit_id,
            account.opened_at,
            account.disabled_at,
            account.version,
        ),
    )
    if record.issued:
        curs.executemany(
            "INSERT INTO api_tokens"
            " (id, name, role, token_hash, created_at, expires_at, account_id)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    t.token_id,
                    t.name,
                    t.role.value,
                    bytes.fromhex(t.secret_hash),
                    t.issued_at,
                    t.expires_at,
                    t.account_id,
                )
                for t in record.issued
            ],
        )
    if record.revoked:
        curs.executemany(
            "UPDATE api_tokens SET revoked_at = %s WHERE id = %s AND revoked_at IS NULL",
            [(at, token_id) for token_id, at in record.revoked],
        )
    if record.disabled_at is not None:
        curs.execute(
            "UPDATE api_tokens SET revoked_at = %s WHERE account_id = %s AND revoked_at IS NULL",
            (record.disabled_at, account.account_id),
        )
