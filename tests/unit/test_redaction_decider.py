"""The redaction stream's decider: given the copies recorded, when copies are recorded, then
only the texts not yet copied become ``TextRedacted``."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.appeals import events as ev
from domain.appeals.vocabulary import Outcome
from domain.redaction.decide import (
    REDACTION_DECIDER,
    AlreadyCopied,
    RecordRedactions,
    RedactedText,
)
from domain.redaction.events import TextRedacted, redaction_stream
from domain.redaction.fields import texts_of
from domain.redaction.service import REDACTION
from domain.shared.envelope import Stamper
from domain.shared.handler import Decision

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
APPEAL = uuid4()


def record(version: int, *fields: str) -> RecordRedactions:
    return RecordRedactions(
        appeal_id=APPEAL,
        source_version=version,
        source_type="AppealReceived",
        masker="test",
        texts=tuple(RedactedText(field=f, text=f"[ИМЯ] {f}", masked={"ИМЯ": 1}) for f in fields),
    )


def decided(given: list[TextRedacted], command: RecordRedactions) -> list[TextRedacted]:
    state = None
    for event in given:
        state = REDACTION_DECIDER.evolve(state, event)
    context = Decision(
        stream_id=redaction_stream(APPEAL), version=len(given), actor=REDACTION, now=NOW
    )
    found = REDACTION_DECIDER.decide(state, command, context)
    assert all(isinstance(e, TextRedacted) for e in found)
    return [e for e in found if isinstance(e, TextRedacted)]


def test_a_first_copy_is_recorded_with_its_source_and_the_masker() -> None:
    (copy,) = decided([], record(1, "text"))
    assert (copy.appeal_id, copy.source_version, copy.field) == (APPEAL, 1, "text")
    assert copy.originator_version == 1 and copy.masker == "test"
    assert copy.text == "[ИМЯ] text" and copy.masked == {"ИМЯ": 1}


def test_a_text_already_copied_is_not_copied_again() -> None:
    given = decided([], record(1, "text"))
    with pytest.raises(AlreadyCopied):
        decided(given, record(1, "text"))
    (other,) = decided(given, record(1, "text", "essence"))  # only what is not copied yet
    assert other.field == "essence"
    (later,) = decided(given, record(4, "text"))
    assert later.source_version == 4 and later.originator_version == 2


def test_only_free_texts_that_are_not_blank_are_copied() -> None:
    closed = ev.AppealClosed(
        **Stamper(APPEAL, 8, REDACTION, NOW, NOW).envelope(),
        outcome=Outcome.ANSWERED,
        comment=" ",
    )
    assert texts_of(closed) == {}
    rated = ev.SatisfactionRated(
        **Stamper(APPEAL, 7, REDACTION, NOW, NOW).envelope(),
        score=2,
        comment="Звонил Иван",
    )
    assert texts_of(rated) == {"comment": "Звонил Иван"}
    paused = ev.AppealPaused(
        **Stamper(APPEAL, 6, REDACTION, NOW, NOW).envelope(),
        reason="жду",
    )
    assert texts_of(paused) == {}  # the administration's words, not a citizen's text
