"""The redaction stream's decider: a copy is recorded once per (source version, field)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import msgspec

from domain.redaction.events import RedactionEvent, TextRedacted
from domain.shared.envelope import Stamper
from domain.shared.errors import RuleViolated
from domain.shared.handler import Decider, Decision


class AlreadyCopied(RuleViolated):
    """Every text of the command has its copy already (a batch handed over again)."""


class RedactedText(msgspec.Struct, frozen=True, kw_only=True):
    field: str
    text: str
    masked: dict[str, int]


class RecordRedactions(msgspec.Struct, frozen=True, kw_only=True):
    """The redacted copies of the free texts of one event of the appeal."""

    appeal_id: UUID
    source_version: int
    source_type: str
    masker: str
    texts: tuple[RedactedText, ...]


class Copies(msgspec.Struct, frozen=True, kw_only=True):
    """The stream's state: which (source version, field) have their copy."""

    appeal_id: UUID
    recorded: frozenset[tuple[int, str]]


def evolve(state: Copies | None, event: RedactionEvent) -> Copies:
    recorded = state.recorded if state is not None else frozenset()
    if isinstance(event, TextRedacted):
        recorded = recorded | {(event.source_version, event.field)}
    return Copies(appeal_id=event.appeal_id, recorded=recorded)


def decide(
    state: Copies | None, command: RecordRedactions, context: Decision
) -> Sequence[RedactionEvent]:
    """A copy of each text not yet copied: a batch handed over again, or two builds of the
    reactor side by side, are refused the second time (``AlreadyCopied``)."""
    done = state.recorded if state is not None else frozenset()
    stamp = Stamper(context.stream_id, context.version, context.actor, context.now, context.now)
    if all((command.source_version, item.field) in done for item in command.texts):
        raise AlreadyCopied("every text of this event has its redacted copy already")
    return [
        TextRedacted(
            **stamp.envelope(),
            appeal_id=command.appeal_id,
            source_version=command.source_version,
            source_type=command.source_type,
            field=item.field,
            text=item.text,
            masker=command.masker,
            masked=item.masked,
        )
        for item in command.texts
        if (command.source_version, item.field) not in done
    ]


REDACTION_DECIDER: Decider[Copies, RecordRedactions, RedactionEvent] = Decider(
    name="redacted copy", events=RedactionEvent, evolve=evolve, decide=decide
)
