"""Authenticated tokens kept a few seconds per process, forgotten at every change of access: the
event store NOTIFYs ``ACCESS_CHANNEL`` in the transaction that revokes a token or changes an
account, every serving process LISTENs to it, and the process that made the change forgets at
once, before its request answers. A process that is not listening (its connection lost) keeps
nothing: every request reads the token's row, as without the cache."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import psycopg
import structlog

from domain.shared.actors import Actor

ACCESS_CHANNEL = "otklik_access"
KEEP_SECONDS = 5.0  # also what an executor's unit, read from the directory, may lag behind
MOST = 10_000  # tokens kept at most (then all are forgotten)

log = structlog.get_logger("otklik.auth")
Lookup = Callable[[str], tuple[Actor, datetime | None] | None]  # the actor and the expiry


class TokenCache:
    def __init__(
        self,
        lookup: Lookup,
        conninfo: str,
        clock: Callable[[], datetime],
        keep_seconds: float = KEEP_SECONDS,
    ) -> None:
        self._lookup = lookup
        self._conninfo = conninfo
        self._clock = clock
        self._keep = keep_seconds
        self._entries: dict[bytes, tuple[Actor, float, datetime | None]] = {}
        self._generation = 0  # bumped by every forgetting: a lookup begun before is not kept
        self._listening = threading.Event()
        self._stop = threading.Event()
        self._listener: threading.Thread | None = None
        self._started = threading.Lock()

    def cached(self, token: str) -> Actor | None:
        """The token's actor if it is kept and still valid (no I/O: the event loop may ask)."""
        if not self._listening.is_set():
            return None
        entry = self._entries.get(_key(token))
        if entry is None:
            return None
        actor, until, expires = entry
        if time.monotonic() >= until or (expires is not None and self._clock() >= expires):
            return None
        return actor

    def authenticate(self, token: str) -> Actor | None:
        """The token's actor, read from its row (and kept while this process listens)."""
        self._start()
        generation = self._generation
        found = self._lookup(token)
        if found is None:
            return None
        actor, expires = found
        if self._listening.is_set() and generation == self._generation:
            if len(self._entries) >= MOST:
                self._entries.clear()
            self._entries[_key(token)] = (actor, time.monotonic() + self._keep, expires)
        return actor

    def forget(self) -> None:
        self._generation += 1
        self._entries.clear()

    def close(self) -> None:
        self._stop.set()
        self._listening.clear()
        self.forget()
        if self._listener is not None:
            self._listener.join(5)

    def _start(self) -> None:
        if self._listener is not None:
            return
        with self._started:
            if self._listener is None:
                self._listener = threading.Thread(
                    target=self._listen, daemon=True, name="token-cache-listener"
                )
                self._listener.start()

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {ACCESS_CHANNEL}")
                    self.forget()  # what changed while nobody listened
                    self._listening.set()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0):
                            self.forget()
            except psycopg.Error as error:
                log.warning("auth.cache_not_listening", error=type(error).__name__)
            finally:
                self._listening.clear()
                self.forget()
            self._stop.wait(1.0)


def _key(token: str) -> bytes:
    """Kept under the token's digest, not the secret itself."""
    return hashlib.sha256(token.encode()).digest()


def notify_access_changed(curs: psycopg.Cursor[Any]) -> None:
    """In the transaction that changes access: every serving process forgets its tokens."""
    curs.execute(f"NOTIFY {ACCESS_CHANNEL}")
