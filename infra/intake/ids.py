"""Ids of the appeals an import brings: UUID version 7 (RFC 9562 §5.7) — the import's moment in
milliseconds first, then 74 random bits from the operating system's generator, drawn for a
thousand ids at once. Time-ordered ids go in at the right edge of the log's primary key (an
import writes hundreds of thousands of new streams); the random bits keep them unguessable (an
appeal's id is the public tracker's request id)."""

from __future__ import annotations

import os
import time
from uuid import UUID

_BATCH = 1000
_VERSION = 0x7 << 76
_VARIANT = 0x2 << 62


class Uuid7s:
    """A source of version-7 UUIDs, increasing within a millisecond by a counter in ``rand_a``
    (RFC 9562 §6.2, method 1), never repeating in the process."""

    def __init__(self) -> None:
        self._random = b""
        self._last_ms = -1
        self._counter = 0

    def __call__(self) -> UUID:
        if not self._random:
            self._random = os.urandom(8 * _BATCH)
        bits, self._random = self._random[:8], self._random[8:]
        ms = time.time_ns() // 1_000_000
        if ms <= self._last_ms:
            ms = self._last_ms
            self._counter += 1
            if self._counter > 0xFFF:  # 4,096 ids in one millisecond: borrow the next one
                ms, self._counter = ms + 1, 0
        else:
            self._counter = 0
        self._last_ms = ms
        tail = int.from_bytes(bits) & ((1 << 62) - 1)
        return UUID(int=(ms << 80) | _VERSION | (self._counter << 64) | _VARIANT | tail)
