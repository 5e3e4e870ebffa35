"""Master key rotation: every data key and server secret unwrapped with the old master key and
wrapped with the new one, in one transaction (the events name their data keys, never the master
key, so the log is untouched)."""

from __future__ import annotations

from typing import Any

from psycopg import Connection

from infra.privacy.master import MasterKey


def rotate(conn: Connection[Any], old: MasterKey, new: MasterKey) -> int:
    """Re-wrap what ``old`` wraps with ``new``; how many keys and secrets. A row wrapped with
    neither is an error (nothing is changed)."""
    if old.version == new.version:
        raise ValueError("the new master key is the one in use")
    count = 0
    with conn.transaction():
        keys = conn.execute(
            "SELECT key_id, master_version, wrapped FROM privacy_data_keys FOR UPDATE"
        ).fetchall()
        for key_id, version, wrapped in keys:
            if version == new.version:
                continue  # an interrupted rotation run again
            if version != old.version:
                raise ValueError("a data key is wrapped with a master key that is neither")
            aad = str(key_id).encode()
            conn.execute(
                "UPDATE privacy_data_keys SET master_version = %s, wrapped = %s WHERE key_id = %s",
                (new.version, new.wrap(old.unwrap(bytes(wrapped), aad), aad), key_id),
            )
            count += 1
        secrets = conn.execute(
            "SELECT name, master_version, wrapped FROM privacy_secrets FOR UPDATE"
        ).fetchall()
        for name, version, wrapped in secrets:
            if version == new.version:
                continue
            aad = b"secret:" + str(name).encode()
            conn.execute(
                "UPDATE privacy_secrets SET master_version = %s, wrapped = %s WHERE name = %s",
                (new.version, new.wrap(old.unwrap(bytes(wrapped), aad), aad), name),
            )
            count += 1
    return count
