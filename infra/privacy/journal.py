"""The erasure journal outside the database: one JSON line per committed erasure (ids and keys,
no data), appended and flushed to disk, so a restored backup can destroy the keys again."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from uuid import UUID

import msgspec


class JournalEntry(msgspec.Struct, frozen=True, kw_only=True):
    erasure_id: UUID
    subject_id: UUID
    appeal_id: UUID | None  # None: the whole subject
    appeal_ids: tuple[UUID, ...]
    key_ids: tuple[str, ...]
    ground: str
    erased_on: date
    erased_by: str


class Journal:
    """``<data dir>/erasures.journal``: append-only, one entry per line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, entry: JournalEntry) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = msgspec.json.encode(entry) + b"\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def entries(self) -> list[JournalEntry]:
        if not self.path.exists():
            return []
        decoder = msgspec.json.Decoder(JournalEntry)
        found = []
        for line in self.path.read_bytes().splitlines():
            if line.strip():
                try:
                    found.append(decoder.decode(line))
                except msgspec.DecodeError:  # a line torn by a crash mid-write: skipped
                    continue
        return found
