"""What a rubricator file asks for, compared with the rubricator as it is: the changes that make
the one into the other, and nothing when they agree (loading a file twice appends nothing)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.rubricator.commands import (
    AddRubric,
    Change,
    ClearRoute,
    RenameRubric,
    RetireRubric,
    SetRoute,
)
from domain.rubricator.events import Level, Source
from domain.rubricator.state import Rubricator
from domain.shared.errors import InvalidCommand


@dataclass(frozen=True, kw_only=True)
class DesiredRubric:
    code: str
    name: str
    level: Level
    parent: str | None
    source: Source


@dataclass(frozen=True, kw_only=True)
class DesiredRoute:
    code: str
    unit_id: str
    municipality: str | None = None


@dataclass(frozen=True, kw_only=True)
class Desired:
    """The whole rubricator as a file states it: entries in force and routing rules. Entries in
    force now but missing from it are retired; rules missing from it are cleared."""

    rubrics: tuple[DesiredRubric, ...]
    routes: tuple[DesiredRoute, ...] = ()


def changes_towards(current: Rubricator, desired: Desired) -> list[Change]:
    """The changes, in an order the decider accepts: new entries parents first, renames,
    routing rules, then retirements children first (a rule on a code to retire is cleared
    before it)."""
    wanted = {r.code: r for r in desired.rubrics}
    if len(wanted) != len(desired.rubrics):
        raise InvalidCommand("the file lists a code twice")
    changes: list[Change] = []
    for rubric in sorted(desired.rubrics, key=lambda r: (r.level.depth, r.code)):
        changes.extend(_towards_rubric(current, rubric))
    changes.extend(_towards_routes(current, desired.routes))
    gone = [c for c, r in current.rubrics.items() if r.retired_on is None and c not in wanted]
    for code in sorted(gone, key=lambda c: (-current.rubrics[c].level.depth, c)):
        changes.append(RetireRubric(code=code))
    return changes


def _towards_rubric(current: Rubricator, rubric: DesiredRubric) -> list[Change]:
    found = current.rubrics.get(rubric.code)
    if found is None:
        return [
            AddRubric(
                code=rubric.code,
                name=rubric.name,
                level=rubric.level,
                parent=rubric.parent,
                source=rubric.source,
            )
        ]
    if found.retired_on is not None:
        raise InvalidCommand(
            f"the file lists {rubric.code}, retired on {found.retired_on}; codes are never"
            " reused: give the entry a new code"
        )
    if (found.level, found.parent, found.source) != (rubric.level, rubric.parent, rubric.source):
        raise InvalidCommand(
            f"the file moves {rubric.code} (its level, parent or source); an entry never moves:"
            " retire it and add a new code"
        )
    if found.name != rubric.name:
        return [RenameRubric(code=rubric.code, name=rubric.name)]
    return []


def _towards_routes(current: Rubricator, routes: tuple[DesiredRoute, ...]) -> list[Change]:
    wanted = {(r.code, r.municipality): r.unit_id for r in routes}
    if len(wanted) != len(routes):
        raise InvalidCommand("the file gives one code two routing rules for one municipality")
    changes: list[Change] = []
    for (code, municipality), unit_id in sorted(wanted.items(), key=_by_scope):
        if current.routes.get((code, municipality)) != unit_id:
            changes.append(SetRoute(code=code, unit_id=unit_id, municipality=municipality))
    for code, municipality in sorted(current.routes, key=lambda key: _by_scope((key, ""))):
        if (code, municipality) not in wanted:
            changes.append(ClearRoute(code=code, municipality=municipality))
    return changes


def _by_scope(item: tuple[tuple[str, str | None], str]) -> tuple[str, str]:
    (code, municipality), _ = item
    return code, municipality or ""
