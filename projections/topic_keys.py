"""Which rubric an appeal's topic counts under in reports: its code (since the rubricator, issue
15), or a topic recorded as a name before it, resolved through the rubricator's names and former
names; shown under the name in force."""

from __future__ import annotations

from datetime import date

from domain.rubricator.state import Rubricator


def key_of(rubricator: Rubricator, recorded: str) -> str:
    """The code ``recorded`` stands for (itself when the rubricator does not know it)."""
    if recorded in rubricator.rubrics:
        return recorded
    return rubricator.resolve(recorded) or recorded


def shown(rubricator: Rubricator, key: str, at: date) -> tuple[str, str | None]:
    """The name a rubric is shown under on ``at``, and its code (None for a bare name)."""
    if key in rubricator.rubrics:
        return rubricator.name_of(key, at) or key, key
    return key, None
