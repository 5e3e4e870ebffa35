"""The directory book: the directory read (cached briefly) and changed through the one command
handler."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

from eventsourcing.application import Application

from domain.organisation.changes import DIRECTORY
from domain.organisation.commands import ChangeDirectory
from domain.organisation.directory import Directory
from domain.organisation.events import STREAM
from domain.shared.actors import Actor
from domain.shared.handler import CommandHandler, IdempotencyClaim, Written


class DirectoryBook:
    def __init__(
        self, store: Application[UUID], clock: Callable[[], datetime], ttl: float = 5.0
    ) -> None:
        self.clock = clock
        self.handler = CommandHandler(store, clock)
        self.ttl = ttl  # a change made by another process is seen within this many seconds
        self._read: tuple[float, Directory, int] | None = None

    def _loaded(self) -> tuple[Directory, int]:
        now = time.monotonic()
        read = self._read  # once: change() may reset it from another thread meanwhile
        if read is None or now - read[0] > self.ttl:
            loaded = self.handler.load(DIRECTORY, STREAM)
            read = (now, loaded.state or Directory(), loaded.version)
            self._read = read
        return read[1], read[2]

    def directory(self) -> Directory:
        """The directory as recorded (treat it as read-only: it is shared between requests)."""
        return self._loaded()[0]

    def version(self) -> int:
        return self._loaded()[1]

    def executor_unit(self, person_id: str, at: date) -> str | None:
        return self.directory().executor_unit(person_id, at)

    def change(
        self,
        command: ChangeDirectory,
        *,
        actor: Actor,
        expected_version: int | None = None,
        idempotency: IdempotencyClaim | None = None,
    ) -> Written[Directory]:
        try:
            return self.handler.handle(
                DIRECTORY,
                STREAM,
                command,
                actor=actor,
                expected_version=expected_version,
                idempotency=idempotency,
                must_exist=False,
            )
        finally:
            self._read = None  # the next read sees the stream as it is now
