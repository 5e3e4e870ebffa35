"""The key store and the one service that seals and opens personal data: a data key per subject
and appeal (AES-GCM), wrapped with the master key in ``privacy_data_keys``, cached in memory; the
cache is dropped whenever another process has erased something (checked at most every
``fresh_for`` seconds), so an erased key is never used once the erasure has been waited out."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from psycopg import Connection
from psycopg_pool import ConnectionPool

from infra.privacy.master import KEY_BYTES, NONCE_BYTES, MasterKey

FRESH_FOR = 0.25  # seconds a process trusts its cache without asking for new erasures
# On a cache miss with no more keys than this, all are loaded in one query (a rebuild otherwise
# pays a round trip per appeal); past it, one key per miss.
PRELOAD_MAX = 100_000
BLIND_INDEX = "blind_index"
IDEMPOTENCY = "idempotency"


# One round trip (autocommit): the subject a blind index names, else a new one (the indexes then
# name it; a concurrent first appeal of the same citizen may win an index, and this appeal is then
# a subject of its own: harmless, rare), and the appeal's key, unless it has one.
_MAKE_KEY = """
WITH found AS (
    SELECT subject_id FROM privacy_subject_index
    WHERE blind_index = ANY(%(indexes)s::bytea[]) LIMIT 1
), made AS (
    INSERT INTO privacy_subjects (subject_id)
    SELECT %(subject)s WHERE NOT EXISTS (SELECT FROM found)
    RETURNING subject_id
), chosen AS (
    SELECT subject_id FROM found UNION ALL SELECT subject_id FROM made
), indexed AS (
    INSERT INTO privacy_subject_index (blind_index, subject_id)
    SELECT i, (SELECT subject_id FROM chosen) FROM unnest(%(indexes)s::bytea[]) AS i
    ON CONFLICT (blind_index) DO NOTHING
)
INSERT INTO privacy_data_keys (key_id, subject_id, appeal_id, master_version, wrapped)
SELECT %(key_id)s, subject_id, %(appeal)s, %(version)s, %(wrapped)s FROM chosen
ON CONFLICT (appeal_id) DO NOTHING
RETURNING key_id
"""


def _aad(stream: str, field: str) -> bytes:
    """The stream id as the log's JSON writes it (lower-case, hyphenated) and the field."""
    return f"{stream}/{field}".encode()


@dataclass(frozen=True)
class DataKey:
    key_id: str
    aead: AESGCM

    def seal(self, stream_id: UUID, field: str, plain: bytes) -> dict[str, str]:
        """The envelope stored in the field's place: nonce || ciphertext, and the key's id."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = nonce + self.aead.encrypt(nonce, plain, _aad(str(stream_id), field))
        return {"sealed": base64.b64encode(sealed).decode(), "key": self.key_id}


@dataclass(frozen=True)
class Erased:
    """A key that is gone: when and on what ground (None: no erasure on record, e.g. a key lost
    with a backup's restore before its erasure was replayed)."""

    erased_on: date | None
    ground: str | None


def normalised_contacts(phone: str | None, email: str | None) -> list[bytes]:
    """What identifies a citizen across appeals: the phone's last ten digits (a Russian number
    written with +7, 8 or none), the e-mail in lower case."""
    found = []
    digits = "".join(c for c in phone or "" if c.isdigit())
    if len(digits) >= 10:
        found.append(b"phone:" + digits[-10:].encode())
    address = (email or "").strip().lower()
    if "@" in address:
        found.append(b"email:" + address.encode())
    return found


class Keyring:
    """Data keys by id and by appeal, the server's secrets, and the subject of a contact."""

    def __init__(self, pool: ConnectionPool, master: MasterKey, fresh_for: float = FRESH_FOR):
        self.pool = pool
        self.master = master
        self.fresh_for = fresh_for
        self._lock = threading.RLock()
        self._by_id: dict[str, AESGCM] = {}
        self._by_appeal: dict[UUID, DataKey] = {}
        self._erased: dict[str, Erased] = {}  # an erasure is for ever: safe to keep
        self._secrets: dict[str, bytes] = {}
        self._seen = -1
        self._checked = 0.0
        self._preloaded = False

    # --- the cache's freshness ---------------------------------------------------------------
    def forget(self) -> None:
        """An erasure happened (read from the log, or just carried out): the next use asks the
        key store whether one was committed since the cache was filled, and drops the cache if
        so. (An erasure's keys go in the transaction that records it in ``privacy_erasures``:
        a new ``seq`` is what "since" means, so a reader that meets many erasure events — a
        rebuild, a retention round — reloads its keys once per new erasure, not per event.)"""
        with self._lock:
            self._checked = 0.0

    def clear(self) -> None:
        """Drop every cached key (the next use loads them again)."""
        with self._lock:
            self._drop()
            self._checked = 0.0

    def _drop(self) -> None:
        self._by_id.clear()
        self._by_appeal.clear()
        self._preloaded = False

    def _fresh(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.fresh_for:
            return
        with self._lock, self.pool.connection() as conn:
            row = conn.execute("SELECT coalesce(max(seq), 0) FROM privacy_erasures").fetchone()
            seen = int(row[0]) if row else 0
            if seen != self._seen:
                self._drop()
                self._seen = seen
            self._checked = time.monotonic()

    # --- secrets ------------------------------------------------------------------------------
    def secret(self, name: str) -> bytes:
        """A server secret (wrapped with the master key, made on first use)."""
        cached = self._secrets.get(name)
        if cached is not None:
            return cached
        aad = b"secret:" + name.encode()
        with self._lock, self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO privacy_secrets (name, master_version, wrapped) VALUES (%s, %s, %s)"
                " ON CONFLICT (name) DO NOTHING",
                (name, self.master.version, self.master.wrap(secrets.token_bytes(32), aad)),
            )
            row = conn.execute(
                "SELECT master_version, wrapped FROM privacy_secrets WHERE name = %s", (name,)
            ).fetchone()
        assert row is not None
        value = self._unwrap(str(row[0]), bytes(row[1]), aad)
        self._secrets[name] = value
        return value

    def blind_indexes(self, phone: str | None, email: str | None) -> list[bytes]:
        key = self.secret(BLIND_INDEX)
        return [
            hmac.new(key, value, hashlib.sha256).digest()
            for value in normalised_contacts(phone, email)
        ]

    def _unwrap(self, version: str, wrapped: bytes, aad: bytes) -> bytes:
        if version != self.master.version:
            raise RuntimeError(
                "a key is wrapped with another master key (an unfinished rotation?):"
                " see docs/personal-data.md"
            )
        return self.master.unwrap(wrapped, aad)

    # --- data keys ----------------------------------------------------------------------------
    def key_for_received(self, appeal_id: UUID, phone: str | None, email: str | None) -> DataKey:
        """The appeal's key, made with the subject its contact names (or a subject of its own)."""
        self._fresh()
        known = self._by_appeal.get(appeal_id)
        if known is not None:
            return known
        return self._make(appeal_id, self.blind_indexes(phone, email))

    def key_for_appeal(self, appeal_id: UUID) -> DataKey:
        """The appeal's key (an appeal received before keys existed gets a subject of its own)."""
        self._fresh()
        known = self._by_appeal.get(appeal_id)
        if known is not None:
            return known
        return self._make(appeal_id, [])

    def existing_key_for_appeal(self, appeal_id: UUID) -> DataKey | None:
        """The appeal's key if it has one (None: erased, or never made): what a copy of the
        appeal's data is sealed with, never a new key for an erased appeal."""
        self._fresh()
        known = self._by_appeal.get(appeal_id)
        if known is not None:
            return known
        with self.pool.connection() as conn:
            return self._appeal_key(conn, appeal_id)

    def _make(self, appeal_id: UUID, indexes: list[bytes]) -> DataKey:
        key_id = f"{self.master.version}.{uuid.uuid4().hex}"
        plain = secrets.token_bytes(KEY_BYTES)
        wrapped = self.master.wrap(plain, key_id.encode())
        with self.pool.connection() as conn:  # no lock: the database settles a race
            made = conn.execute(
                _MAKE_KEY,
                {
                    "indexes": indexes,
                    "subject": uuid.uuid4(),
                    "key_id": key_id,
                    "appeal": appeal_id,
                    "version": self.master.version,
                    "wrapped": wrapped,
                },
                prepare=True,
            ).fetchone()
            # another process made the appeal's key first: that one is the appeal's
            existing = DataKey(key_id, AESGCM(plain)) if made else self._appeal_key(conn, appeal_id)
        assert existing is not None
        self._by_appeal[appeal_id] = existing
        self._by_id[existing.key_id] = existing.aead
        return existing

    def _appeal_key(self, conn: Connection[Any], appeal_id: UUID) -> DataKey | None:
        row = conn.execute(
            "SELECT key_id, master_version, wrapped FROM privacy_data_keys WHERE appeal_id = %s",
            (appeal_id,),
        ).fetchone()
        if row is None:
            return None
        key_id = str(row[0])
        return DataKey(key_id, AESGCM(self._unwrap(str(row[1]), bytes(row[2]), key_id.encode())))

    def aead(self, key_id: str) -> AESGCM | Erased:
        """The data key named ``key_id``, or what is known of its erasure."""
        self._fresh()
        aead = self._by_id.get(key_id)
        return aead if aead is not None else self._load(key_id)

    def open(self, stream: str, field: str, envelope: dict[str, Any]) -> bytes | Erased:
        """The plain bytes of a sealed field, or what is known of its key's erasure."""
        aead = self.aead(str(envelope.get("key", "")))
        if isinstance(aead, Erased):
            return aead
        sealed = binascii.a2b_base64(envelope["sealed"])
        try:
            return aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _aad(stream, field))
        except InvalidTag:  # moved to another stream or field: a forgery, not this field's data
            return Erased(None, None)

    def _preload(self, conn: Connection[Any]) -> None:
        """Every key in one query when there are few enough (once per cache generation)."""
        self._preloaded = True
        row = conn.execute("SELECT count(*) FROM privacy_data_keys").fetchone()
        if row is None or int(row[0]) > PRELOAD_MAX:
            return
        for key_id, version, wrapped in conn.execute(
            "SELECT key_id, master_version, wrapped FROM privacy_data_keys"
        ):
            if version == self.master.version:  # another master's: the miss below says so
                aad = str(key_id).encode()
                self._by_id[str(key_id)] = AESGCM(self.master.unwrap(bytes(wrapped), aad))

    def _load(self, key_id: str) -> AESGCM | Erased:
        erased = self._erased.get(key_id)
        if erased is not None:
            return erased
        with self._lock, self.pool.connection() as conn:
            if not self._preloaded:
                self._preload(conn)
                found = self._by_id.get(key_id)
                if found is not None:
                    return found
            row = conn.execute(
                "SELECT master_version, wrapped FROM privacy_data_keys WHERE key_id = %s",
                (key_id,),
            ).fetchone()
            if row is not None:
                aead = AESGCM(self._unwrap(str(row[0]), bytes(row[1]), key_id.encode()))
                self._by_id[key_id] = aead
                return aead
            gone = conn.execute(
                "SELECT e.erased_on, e.ground FROM privacy_shredded_keys s"
                " JOIN privacy_erasures e USING (erasure_id) WHERE s.key_id = %s",
                (key_id,),
            ).fetchone()
        if gone is None:
            return Erased(None, None)
        erased = Erased(gone[0], str(gone[1]))
        self._erased[key_id] = erased
        return erased
