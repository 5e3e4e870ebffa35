"""The rubricator's decider: a batch of changes is checked one after another against the
rubricator as the earlier ones leave it, and published as one version. Codes are never reused."""

from __future__ import annotations

import copy
from typing import Any

from domain.rubricator.commands import (
    AddRubric,
    Change,
    ClearRoute,
    PublishRubricator,
    RenameRubric,
    RetireRubric,
    SetRoute,
)
from domain.rubricator.events import (
    CLASSIFIER_CODE,
    MUNICIPAL_CODE,
    Level,
    RoutingRuleCleared,
    RoutingRuleSet,
    RubricAdded,
    RubricatorEvent,
    RubricatorVersionPublished,
    RubricRenamed,
    RubricRetired,
    Source,
)
from domain.rubricator.state import Rubric, Rubricator, evolve
from domain.shared.actors import Actor, Role
from domain.shared.errors import Forbidden, InvalidCommand
from domain.shared.handler import Decider, Decision

EDITORS = frozenset({Role.ADMINISTRATOR})


def authorise(_state: Rubricator | None, _command: PublishRubricator, actor: Actor) -> None:
    if actor.role not in EDITORS and actor.role is not Role.SYSTEM:
        raise Forbidden("only an administrator changes the rubricator")


def decide(
    state: Rubricator | None, command: PublishRubricator, c: Decision
) -> list[RubricatorEvent]:
    current = state if state is not None else Rubricator()
    if current.versions and command.effective_from < current.versions[-1].effective_from:
        raise InvalidCommand(
            f"version {current.version} takes effect on {current.versions[-1].effective_from};"
            " a later version cannot take effect before it"
        )
    working = copy.deepcopy(current)  # the changes are checked against what the earlier leave
    version = current.version + 1
    stamp: dict[str, Any] = {
        "originator_id": c.stream_id,
        "timestamp": c.now,
        "occurred_at": c.now,
        "actor": c.actor,
        "version": version,
        "effective_from": command.effective_from,
    }
    events: list[RubricatorEvent] = []
    for number, change in enumerate(command.changes, start=1):
        try:
            event = _decide_one(working, change, stamp, c.version + number)
        except InvalidCommand as error:
            raise InvalidCommand(f"change {number}: {error.message}") from None
        evolve(working, event)
        events.append(event)
    events.append(
        RubricatorVersionPublished(
            **stamp,
            originator_version=c.version + len(events) + 1,
            label=command.label,
            changes=len(command.changes),
        )
    )
    return events


def _decide_one(
    state: Rubricator, change: Change, stamp: dict[str, Any], at: int
) -> RubricatorEvent:
    match change:
        case AddRubric():
            _check_add(state, change)
            return RubricAdded(
                **stamp,
                originator_version=at,
                code=change.code,
                name=change.name,
                level=change.level,
                parent=change.parent,
                source=change.source,
            )
        case RenameRubric():
            rubric = _active(state, change.code)
            if rubric.name == change.name:
                raise InvalidCommand(f"{change.code} is already named so")
            return RubricRenamed(**stamp, originator_version=at, code=change.code, name=change.name)
        case RetireRubric():
            _active(state, change.code)
            under = state.children(change.code)
            if under:
                raise InvalidCommand(
                    f"{change.code} still has {len(under)} entries in force under it"
                    f" (such as {under[0]}); retire them first"
                )
            return RubricRetired(**stamp, originator_version=at, code=change.code)
        case SetRoute():
            _active(state, change.code)
            if state.routes.get((change.code, change.municipality)) == change.unit_id:
                raise InvalidCommand(f"{change.code} is already routed to {change.unit_id}")
            return RoutingRuleSet(
                **stamp,
                originator_version=at,
                code=change.code,
                unit_id=change.unit_id,
                municipality=change.municipality,
            )
        case ClearRoute():
            if (change.code, change.municipality) not in state.routes:
                raise InvalidCommand(f"{change.code} has no such routing rule to clear")
            return RoutingRuleCleared(
                **stamp,
                originator_version=at,
                code=change.code,
                municipality=change.municipality,
            )


def _active(state: Rubricator, code: str) -> Rubric:
    rubric = state.rubrics.get(code)
    if rubric is None:
        raise InvalidCommand(f"there is no code {code} in the rubricator")
    if rubric.retired_on is not None:
        raise InvalidCommand(f"{code} was retired on {rubric.retired_on}")
    return rubric


def _check_add(state: Rubricator, change: AddRubric) -> None:
    code = change.code
    if code in state.rubrics:
        raise InvalidCommand(
            f"the code {code} was used before; codes are never reused, even retired ones"
        )
    if change.source is Source.CLASSIFIER:
        _check_classifier_code(change)
    elif not MUNICIPAL_CODE.fullmatch(code):
        raise InvalidCommand(f"a municipal code is 'M.' and 2–6 digits (such as M.01), not {code}")
    if change.parent is None:
        if change.level is not Level.SECTION:
            raise InvalidCommand(f"a {change.level} needs a parent")
        return
    parent = state.rubrics.get(change.parent)
    if parent is None:
        raise InvalidCommand(f"the parent {change.parent} is not in the rubricator")
    if parent.retired_on is not None:
        raise InvalidCommand(f"the parent {change.parent} was retired on {parent.retired_on}")
    if change.level.depth != parent.level.depth + 1:
        raise InvalidCommand(
            f"a {change.level} cannot sit under a {parent.level}; one level down is expected"
        )


def _check_classifier_code(change: AddRubric) -> None:
    code = change.code
    if not CLASSIFIER_CODE.fullmatch(code):
        raise InvalidCommand(
            f"a classifier code is 4 digits per level, dotted (0005.0005.0056.1149), not {code}"
        )
    parts = code.split(".")
    if len(parts) != change.level.depth:
        raise InvalidCommand(
            f"the code {code} has {len(parts)} parts; a {change.level} has {change.level.depth}"
        )
    expected_parent = ".".join(parts[:-1]) or None
    if change.parent != expected_parent:
        raise InvalidCommand(f"the parent of {code} is {expected_parent}, by its code")


def version_of(state: Rubricator | None, _stream: int) -> int:
    """An If-Match names the rubricator's version (the versions published), not the stream's."""
    return state.version if state is not None else 0


RUBRICATOR: Decider[Rubricator, PublishRubricator, RubricatorEvent] = Decider(
    name="rubricator",
    events=RubricatorEvent,
    evolve=evolve,
    decide=decide,
    version=version_of,
    authorise=authorise,
)
