"""Which recorded fields carry free text that can hold a citizen's personal data, by event type."""

from __future__ import annotations

from domain.appeals import events as ev

# Texts the citizen wrote, texts that quote or answer them, and comments typed beside them: any
# of them may hold a name, an address, a phone or an e-mail. Registry-like fields (bodies, grounds,
# template ids) are the administration's words, and are not copied.
TEXT_FIELDS: dict[type[ev.AppealEvent], tuple[str, ...]] = {
    ev.AppealReceived: ("text",),
    ev.AppealCategorised: ("essence",),
    ev.InterimAnswerGiven: ("text",),
    ev.AnswerDrafted: ("text",),
    ev.AnswerGivenAtSource: ("text",),
    ev.AnswerApproved: ("comment",),
    ev.AnswerReturnedForRework: ("comment",),
    ev.SatisfactionRated: ("comment",),
    ev.AppealReopened: ("reason",),
    ev.AppealLeftWithoutAnswer: ("comment",),
    ev.AppealClosed: ("comment",),
    ev.InformationReplyReceived: ("summary",),
}
TEXT_EVENT_NAMES = frozenset(cls.__name__ for cls in TEXT_FIELDS)


def texts_of(event: ev.AppealEvent) -> dict[str, str]:
    """The event's free texts by field (empty ones left out: nothing to copy)."""
    found: dict[str, str] = {}
    for name in TEXT_FIELDS.get(type(event), ()):
        value = getattr(event, name, None)
        if isinstance(value, str) and value.strip():
            found[name] = value
    return found
