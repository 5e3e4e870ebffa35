"""The rubricator book: the rubricator read (cached briefly) and its versions published through
the one command handler; a file's wishes are published as the difference, or not at all."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

from eventsourcing.application import Application

from domain.rubricator.commands import PublishRubricator
from domain.rubricator.decide import RUBRICATOR
from domain.rubricator.diff import Desired, changes_towards
from domain.rubricator.events import STREAM, RubricatorEvent
from domain.rubricator.state import Rubricator, evolve
from domain.shared.actors import Actor
from domain.shared.handler import CommandHandler


class RubricatorBook:
    """Reads and publishes the rubricator through the one command handler."""

    def __init__(
        self, store: Application[UUID], clock: Callable[[], datetime], ttl: float = 5.0
    ) -> None:
        self.store = store
        self.clock = clock
        self.handler = CommandHandler(store, clock)
        self.ttl = ttl  # a publication by another process is seen within this many seconds
        self._read: tuple[float, Rubricator] | None = None

    def rubricator(self) -> Rubricator:
        """The rubricator as published (re-read from the event store at most every ``ttl``
        seconds, at once after a publication here). Callers read it; they never change it."""
        now = time.monotonic()
        read = self._read  # once: publish() may reset it from another thread meanwhile
        if read is None or now - read[0] > self.ttl:
            state = Rubricator()
            for recorded in self.handler.read(RubricatorEvent, STREAM, missing="no rubricator"):
                state = evolve(state, recorded.event)
            read = (now, state)
            self._read = read
        return read[1]

    def publish(
        self, command: PublishRubricator, *, actor: Actor, expected_version: int | None = None
    ) -> Rubricator:
        """Publish ``command``'s changes as the next version (``expected_version``: the
        version the caller saw, from If-Match)."""
        try:
            written = self.handler.handle(
                RUBRICATOR,
                STREAM,
                command,
                actor=actor,
                expected_version=expected_version,
                must_exist=False,
            )
        finally:
            self._read = None  # the next read sees the stream as it is now
        return written.state

    def load(
        self, desired: Desired, *, label: str, effective_from: date, actor: Actor
    ) -> Rubricator | None:
        """Publish what ``desired`` changes as one version; None (nothing appended) when the
        rubricator already is what it says. Decided against a fresh read, not the cache."""
        self._read = None
        current = self.rubricator()
        changes = changes_towards(current, desired)
        if not changes:
            return None
        command = PublishRubricator(
            changes=tuple(changes), label=label, effective_from=effective_from
        )
        return self.publish(command, actor=actor, expected_version=current.version)
