"""Categorisation by the rubricator (issue 15): the topic (and the subtopic) are codes of the
classifier in force that day, or a name or former name that names exactly one; an unknown code
is refused with the closest entries; the routing rules suggest the unit. The checked command
carries the codes beside the names in force, which the event records."""

from __future__ import annotations

from datetime import date

import msgspec

from domain.appeals import commands as cmd
from domain.appeals.state import AppealState
from domain.rubricator.state import Rubricator
from domain.shared.errors import InvalidCommand
from domain.shared.inputs import derived


class TopicSuggestion(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str


class UnknownTopic(InvalidCommand):
    """A topic the rubricator does not have in force; ``suggestions``: the closest entries (from
    the rubricator, never the value sent)."""

    code = "unknown-topic"

    def __init__(self, message: str, suggestions: list[TopicSuggestion]) -> None:
        super().__init__(message)
        self.extra = {"suggestions": [msgspec.to_builtins(s) for s in suggestions]}


class CategoriseByCode(cmd.CategoriseAppeal, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A categorisation the rubricator has checked: the names in force, and the codes."""

    topic_code: str
    subtopic_code: str | None = None
    suggested_unit: str | None = None  # the routing rule's unit for the most specific code


def code_of(rubricator: Rubricator, typed: str, day: date, what: str) -> str:
    """The code ``typed`` names in force on ``day``: itself, or the entry a name resolves to."""
    if rubricator.entry(typed, day) is not None:
        return typed
    code = rubricator.resolve(typed)
    if code is not None and rubricator.entry(code, day) is not None:
        return code
    closest = [
        TopicSuggestion(code=c, name=rubricator.name_of(c, day) or c)
        for c in rubricator.suggest(typed, 5)
    ]
    raise UnknownTopic(
        f"the rubricator has no such {what} in force then; name it by its code", closest
    )


def is_under(rubricator: Rubricator, code: str, ancestor: str) -> bool:
    """``code`` is ``ancestor`` or lies under it."""
    seen: set[str] = set()
    current: str | None = code
    while current is not None and current not in seen:
        if current == ancestor:
            return True
        seen.add(current)
        entry = rubricator.entry(current)
        current = entry.parent if entry is not None else None
    return False


def categorisation(
    rubricator: Rubricator, state: AppealState, command: cmd.CategoriseAppeal, day: date
) -> CategoriseByCode:
    topic = code_of(rubricator, command.topic, day, "topic")
    subtopic = None
    if command.subtopic is not None:
        subtopic = code_of(rubricator, command.subtopic, day, "subtopic")
        if not is_under(rubricator, subtopic, topic):
            raise InvalidCommand(f"the subtopic {subtopic} is not under the topic {topic}")
    with derived():  # the command's checked values and the rubricator's records
        return CategoriseByCode(
            occurred_at=command.occurred_at,
            topic=rubricator.name_of(topic, day) or topic,
            subtopic=rubricator.name_of(subtopic, day) if subtopic else None,
            essence=command.essence,
            place=command.place,
            tags=command.tags,
            topic_code=topic,
            subtopic_code=subtopic,
            suggested_unit=rubricator.route(subtopic or topic, state.municipality),
        )
