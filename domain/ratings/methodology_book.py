"""The methodology book: every methodology's versions in one stream, read (cached briefly) and
published through the one command handler."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from domain.ratings.methodology import (
    STREAM,
    Methodology,
    MethodologyPublished,
    PublishMethodology,
    decide_publish,
)
from domain.shared.actors import Actor
from domain.shared.handler import CommandHandler, Decider, Decision


def methodology_decider(
    methodology_id: str,
) -> Decider[tuple[Methodology, ...], PublishMethodology, MethodologyPublished]:
    """Every methodology's versions in one stream; an If-Match names ``methodology_id``'s."""

    def evolve(published: tuple[Methodology, ...] | None, event: MethodologyPublished) -> Any:
        return (*(published or ()), event.methodology)

    def version(published: tuple[Methodology, ...] | None, _stream: int) -> int:
        return max((m.version for m in published or () if m.id == methodology_id), default=0)

    def decide(
        published: tuple[Methodology, ...] | None, command: PublishMethodology, c: Decision
    ) -> list[MethodologyPublished]:
        versions = [m for m in published or () if m.id == methodology_id]
        current = versions[-1] if versions else None
        return decide_publish(
            current, methodology_id, command, actor=c.actor, now=c.now, stream_version=c.version
        )

    return Decider(
        name="methodology",
        events=MethodologyPublished,
        evolve=evolve,
        decide=decide,
        version=version,
    )


class MethodologyBook:
    """Reads and publishes methodologies through the one command handler."""

    def __init__(
        self, store: Application[UUID], clock: Callable[[], datetime], ttl: float = 5.0
    ) -> None:
        self.store = store
        self.clock = clock
        self.handler = CommandHandler(store, clock)
        self.ttl = ttl  # a publication by another process is seen within this many seconds
        self._read: tuple[float, list[Methodology]] | None = None

    def published(self) -> list[Methodology]:
        """Every version of every methodology, in order of publication (re-read from the event
        store at most every ``ttl`` seconds, at once after a publication here)."""
        now = time.monotonic()
        read = self._read  # once: publish() may reset it from another thread meanwhile
        if read is None or now - read[0] > self.ttl:
            found = self.handler.read(MethodologyPublished, STREAM)
            read = (now, [r.event.methodology for r in found])
            self._read = read
        return read[1]

    def versions(self, methodology_id: str) -> list[Methodology]:
        return [m for m in self.published() if m.id == methodology_id]

    def latest(self) -> list[Methodology]:
        """The latest version of each methodology."""
        return list({m.id: m for m in self.published()}.values())

    def in_force(self, month: str) -> Methodology | None:
        """The methodology in force for ``month`` (the latest published one that says so)."""
        for methodology in reversed(self.published()):
            if methodology.in_force_for(month):
                return methodology
        return None

    def methodology(self, methodology_id: str, version: int | None = None) -> Methodology | None:
        versions = self.versions(methodology_id)
        if version is None:
            return versions[-1] if versions else None
        return next((m for m in versions if m.version == version), None)

    def publish(
        self,
        methodology_id: str,
        command: PublishMethodology,
        *,
        actor: Actor,
        expected_version: int | None = None,
    ) -> Methodology:
        try:
            written = self.handler.handle(
                methodology_decider(methodology_id),
                STREAM,
                command,
                actor=actor,
                expected_version=expected_version,
                must_exist=False,
            )
        finally:
            self._read = None  # the next read sees the stream as it is now
        return written.state[-1]
