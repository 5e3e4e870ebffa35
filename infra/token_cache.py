"""Authenticated tokens kept a few seconds per process, forgotten at every change of access: the
process that made the change forgets before its request answers, and so does every process on
the machine sharing its generation file (granian's workers: a counter in shared memory, read at
every cached answer); processes elsewhere forget with the NOTIFY on ``ACCESS_CHANNEL`` that the
change's transaction sends. A process that is not listening (its connection lost) keeps nothing:
every request reads the token's row, as without the cache."""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import structlog

from domain.shared.actors import Actor

ACCESS_CHANNEL = "otklik_access"
KEEP_SECONDS = 5.0  # also what an executor's unit, read from the directory, may lag behind
MOST = 10_000  # tokens kept at most (then all are forgotten)

log = structlog.get_logger("otklik.auth")
Lookup = Callable[[str], tuple[Actor, datetime | None] | None]  # the actor and the expiry


class SharedGeneration:
    """A counter in a file mapped into every process that opens it: bumped by a change of
    access, read before every cached answer (a torn read only makes a process forget)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self._fd).st_size < 8:
            os.ftruncate(self._fd, 8)
        self._map = mmap.mmap(self._fd, 8)

    def read(self) -> int:
        return int.from_bytes(self._map[:8], "little")

    def bump(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            self._map[:8] = ((self.read() + 1) % 2**63).to_bytes(8, "little")
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self._map.close()
        os.close(self._fd)


class TokenCache:
    def __init__(
        self,
        lookup: Lookup,
        conninfo: str,
        clock: Callable[[], datetime],
        shared: SharedGeneration,
        keep_seconds: float = KEEP_SECONDS,
    ) -> None:
        self._shared = shared
        self._seen = shared.read()
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
        shared = self._shared.read()
        if shared != self._seen:  # another process on this machine changed access
            self._seen = shared
            self.forget()
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
        generation, shared = self._generation, self._shared.read()
        found = self._lookup(token)
        if found is None:
            return None
        actor, expires = found
        unchanged = generation == self._generation and shared == self._shared.read()
        if self._listening.is_set() and unchanged:
            if len(self._entries) >= MOST:
                self._entries.clear()
            self._entries[_key(token)] = (actor, time.monotonic() + self._keep, expires)
        return actor

    def forget(self) -> None:
        self._generation += 1
        self._entries.clear()

    def changed(self) -> None:
        """This process changed access (committed): it and its siblings forget at once."""
        self._shared.bump()
        self.forget()

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
