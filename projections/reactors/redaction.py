"""The redaction reactor: each citizen free text recorded on an appeal gets its redacted copy,
recorded once in the appeal's redaction stream (``domain.redaction``), sealed with the appeal's
key: what analytics read goes with the original on an erasure, and a rebuild after it gives the
same rows.

It reads the log from its beginning in every new build (``replay``): an imported history, or a
deployment that had texts before this reactor, gets its copies too, at the masker's pace (see
docs/redaction.md: the lag). The masker is handed in (it is infra: natasha and phonenumbers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol
from uuid import UUID

import structlog

from domain.appeals.events import AppealEvent
from domain.redaction.decide import RecordRedactions, RedactedText
from domain.redaction.fields import TEXT_EVENT_NAMES, texts_of
from domain.redaction.service import RedactionService
from projections.engine.reactor import ReactorBatch

log = structlog.get_logger("otklik.redaction")


class Redacted(Protocol):
    @property
    def text(self) -> str: ...

    def counts(self) -> dict[str, int]: ...


Mask = Callable[[str], Redacted]


class RedactionReactor:
    name = "redaction"
    version = 1
    topics = TEXT_EVENT_NAMES  # only the events that carry free text reach it
    replay = True  # copying is no side effect outside the log: every build reads it all
    # the masker is CPU-bound (1–2.5 ms a text) and nobody waits on a copy (a text not yet
    # copied is masked when read): a lane of its own, whose masking yields the CPU to the views
    # and the requests (issue 19: infra/projection_lanes.py)
    background = True

    def __init__(self, service: RedactionService, mask: Mask, masker: str) -> None:
        self.service = service
        self.mask = mask
        self.masker = masker  # the masker's version, recorded with each copy

    def react(self, batch: ReactorBatch) -> None:
        recorded: dict[UUID, frozenset[tuple[int, str]]] = {}
        for item in batch.events:
            event = item.event
            if not isinstance(event, AppealEvent):
                continue
            texts = texts_of(event)
            if not texts:
                continue
            appeal_id = event.originator_id
            if appeal_id not in recorded:  # one read per appeal and batch
                recorded[appeal_id] = self.service.recorded(appeal_id)
            version = event.originator_version
            todo = {f: t for f, t in texts.items() if (version, f) not in recorded[appeal_id]}
            if not todo:
                continue  # a batch handed over again: the masker does not run twice
            copies = []
            for field, text in todo.items():
                masked = self.mask(text)
                copies.append(RedactedText(field=field, text=masked.text, masked=masked.counts()))
            command = RecordRedactions(
                appeal_id=appeal_id,
                source_version=version,
                source_type=type(event).__name__,
                masker=self.masker,
                texts=tuple(copies),
            )
            if self.service.record(command, key=f"redaction:{item.position}:{appeal_id}"):
                log.info("redaction.recorded", appeal_id=str(appeal_id), copies=len(todo))
            recorded[appeal_id] = recorded[appeal_id] | {(version, f) for f in todo}
