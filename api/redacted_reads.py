"""What the appeal's read routes serve of its free texts: the redacted copy recorded for each
(``domain.redaction``), or, while the reactor has not recorded it yet, the same masker's result
made there and then. The originals are served only by the audited route of their own."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID

import msgspec

from domain.appeals.events import AppealEvent
from domain.redaction.events import TextRedacted
from domain.redaction.fields import texts_of
from domain.shared.handler import RecordedEvent


class RedactedCopies:
    """The appeal's events with each free text replaced by its redacted copy. A class, not a
    Protocol: a dependency's type must be checkable."""

    def __init__(
        self, copies: Callable[[UUID], list[TextRedacted]], mask: Callable[[str], str]
    ) -> None:
        self.copies = copies  # the appeal's recorded copies, from its redaction stream
        self.mask = mask  # the reactor's masker, for a text whose copy is not recorded yet

    def recorded(
        self, appeal_id: UUID, history: Sequence[RecordedEvent[AppealEvent]]
    ) -> list[RecordedEvent[AppealEvent]]:
        copies = self._copies(appeal_id, [r.event for r in history])
        return [
            RecordedEvent(position=r.position, event=self._redacted(r.event, copies))
            for r in history
        ]

    def _copies(self, appeal_id: UUID, events: Sequence[AppealEvent]) -> dict[tuple[int, str], str]:
        if not any(texts_of(event) for event in events):
            return {}  # nothing to look up: no read of the redaction stream
        return {(c.source_version, c.field): c.text for c in self.copies(appeal_id)}

    def _redacted(self, event: AppealEvent, copies: dict[tuple[int, str], str]) -> AppealEvent:
        texts = texts_of(event)
        if not texts:
            return event
        version = event.originator_version
        changes = {f: copies.get((version, f)) or self.mask(t) for f, t in texts.items()}
        return msgspec.structs.replace(event, **changes)


def originals(
    history: Sequence[RecordedEvent[AppealEvent]],
) -> list[tuple[RecordedEvent[AppealEvent], str, str]]:
    """Each free text as recorded: (the event, the field, the text)."""
    return [(r, f, t) for r in history for f, t in texts_of(r.event).items()]
