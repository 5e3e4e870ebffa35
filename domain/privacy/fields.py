"""Which fields of which events carry personal data (sealed by the codec), and what a field
reads as once its key has been erased."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.appeals import events as appeal
from domain.appeals import intake_events as intake
from domain.outbox.events import MessageQueued
from domain.redaction.events import TextRedacted

# Free texts can carry a name, a phone or an address (citizens write them in); the contact is
# personal whole. ``Place`` (where the problem is) is not the citizen's: it stays clear.
PERSONAL_FIELDS: dict[type[Any], tuple[str, ...]] = {
    appeal.AppealReceived: ("text", "citizen"),
    appeal.AnswerDrafted: ("text",),
    appeal.InterimAnswerGiven: ("text",),
    intake.AnswerGivenAtSource: ("text",),
    appeal.AnswerApproved: ("comment",),
    appeal.AnswerReturnedForRework: ("comment",),
    appeal.SatisfactionRated: ("comment",),
    appeal.AppealClosed: ("comment",),
    appeal.AppealLeftWithoutAnswer: ("comment",),
    appeal.AppealDecidedUnderArticle11: ("comment",),
    appeal.InformationReplyReceived: ("summary",),
    # the subject line can name the citizen; a staff message (no appeal) is not sealed
    MessageQueued: ("recipient", "reply_to", "subject", "body"),
    # the redacted copy: a name the masker missed must go with the original (issue 18)
    TextRedacted: ("text",),
}
# Fields that read as None after erasure (an address is no text to show); the contact reads as a
# contact naming the placeholder; every other field, the placeholder text.
NONE_AFTER_ERASURE = frozenset({"recipient", "reply_to"})
CONTACT_FIELDS = frozenset({"citizen"})

UNKNOWN_ERASURE = "[персональные данные недоступны]"


def placeholder(erased_on: date, ground_label: str) -> str:
    """What a text reads as once its key is erased: when and on what ground."""
    return f"[персональные данные удалены {erased_on:%d.%m.%Y}: {ground_label}]"


def erased_value(field: str, text: str) -> Any:
    """The plain (builtins) value a sealed field decodes as when its key is gone."""
    if field in NONE_AFTER_ERASURE:
        return None
    if field in CONTACT_FIELDS:
        return {"full_name": text}
    return text
