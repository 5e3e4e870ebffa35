"""Assignments and escalations checked against the administration's directory (issue 15): the
unit and the executor are named by id, an unknown or closed unit is refused with the closest
open ones, the sector comes from the directory, and an escalation reaches a person (the deputy
head responsible for the unit's sector, by default). The checked command carries the ids beside
the names in force that day, which the event records."""

from __future__ import annotations

from datetime import date

import msgspec

from domain.appeals import commands as cmd
from domain.appeals.state import AppealState
from domain.appeals.topic_codes import categorisation
from domain.appeals.vocabulary import EscalationTarget
from domain.organisation.directory import Directory
from domain.organisation.events import Position, UnitKind
from domain.organisation.lookup import require_open, resolve
from domain.rubricator.state import Rubricator
from domain.shared.errors import InvalidCommand
from domain.shared.inputs import derived

ASSIGNABLE = frozenset({UnitKind.UNIT, UnitKind.INSTITUTION})


class AssignToUnit(cmd.AssignAppeal, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An assignment the directory has checked: the names in force, and the ids."""

    unit_id: str
    executor_id: str | None = None
    sector_id: str | None = None


class EscalateToPerson(cmd.EscalateAppeal, frozen=True, kw_only=True, forbid_unknown_fields=True):
    to_person_id: str | None = None


class BreachEscalatingToPerson(
    cmd.RecordDeadlineBreach, frozen=True, kw_only=True, forbid_unknown_fields=True
):
    to_person: str | None = None
    to_person_id: str | None = None


def assignment(directory: Directory, command: cmd.AssignAppeal, day: date) -> AssignToUnit:
    """``command`` with its unit (an id, or a name or alias that names exactly one unit) and its
    executor (a person's id) checked on ``day``."""
    unit_id = resolve(directory, command.department) or command.department
    require_open(directory, unit_id, day, kinds=ASSIGNABLE)
    executor_id = command.executor
    executor_name = None
    if executor_id is not None:
        person = directory.person(executor_id)
        held = person is not None and any(
            h.unit_id == unit_id and h.position in (Position.EXECUTOR, Position.HEAD) and h.on(day)
            for h in person.positions
        )
        if person is None or not held:
            raise InvalidCommand(
                "the executor must be a person of the directory (by id) who holds an executor's"
                f" or the head's position in {unit_id} on that day"
            )
        executor_name = person.name(day)
    sector_id = directory.sector_of(unit_id, day)
    with derived():  # the command's checked values and the directory's records
        return AssignToUnit(
            occurred_at=command.occurred_at,
            department=directory.name_of(unit_id, day),
            executor=executor_name,
            sector=directory.name_of(sector_id, day) if sector_id else None,
            unit_id=unit_id,
            executor_id=executor_id,
            sector_id=sector_id,
        )


def responsible(
    directory: Directory, state: AppealState, target: EscalationTarget, day: date
) -> str | None:
    """Whom an escalation to ``target`` reaches: the deputy head responsible for the sector of
    the appeal's unit (001 §1.3); the МЦУ's curator; the head of the administration."""
    if target is EscalationTarget.SECTOR_HEAD:
        unit = resolve(directory, state.department) if state.department else None
        return directory.responsible_for(unit, day) if unit else None
    position = Position.CURATOR if target is EscalationTarget.CURATOR else Position.HEAD
    for each in directory.listing(day):
        if each.kind is UnitKind.MUNICIPALITY:
            found = directory.holders(each.id, position, day)
            if found:
                return found[0]
    return None


def escalation(
    directory: Directory, state: AppealState, command: cmd.EscalateAppeal, day: date
) -> EscalateToPerson:
    """``command`` addressed to a person of the directory: the one named (by id), or whom the
    target means by default."""
    person_id = command.to_person or responsible(directory, state, command.to, day)
    person = directory.person(person_id) if person_id else None
    if command.to_person is not None and person is None:
        raise InvalidCommand("to_person must be a person of the directory, by id")
    return EscalateToPerson(
        occurred_at=command.occurred_at,
        to=command.to,
        reason=command.reason,
        to_person=person.name(day) if person else None,
        to_person_id=person.id if person else None,
    )


def breach_escalation(
    directory: Directory, state: AppealState, command: cmd.RecordDeadlineBreach, day: date
) -> cmd.RecordDeadlineBreach:
    if command.escalate_to is None:
        return command
    person_id = responsible(directory, state, command.escalate_to, day)
    person = directory.person(person_id) if person_id else None
    return BreachEscalatingToPerson(
        occurred_at=command.occurred_at,
        deadline=command.deadline,
        escalate_to=command.escalate_to,
        to_person=person.name(day) if person else None,
        to_person_id=person_id,
    )


def resolved(directory: Directory, state: AppealState) -> AppealState:
    """The appeal with its department as the directory's unit: an appeal assigned before the
    directory by a name is its unit's (the name resolves through names and aliases)."""
    if state.department is None:
        return state
    unit = resolve(directory, state.department)
    if unit is None or unit == state.department:
        return state
    return msgspec.structs.replace(state, department=unit)


def complete(
    directory: Directory,
    state: AppealState,
    command: cmd.Command,
    day: date,
    rubricator: Rubricator | None = None,
) -> cmd.Command:
    """The command as the directory (and the rubricator) complete it (others unchanged)."""
    if type(command) is cmd.AssignAppeal:
        return assignment(directory, command, day)
    if type(command) is cmd.EscalateAppeal:
        return escalation(directory, state, command, day)
    if type(command) is cmd.CategoriseAppeal and rubricator is not None:
        return categorisation(rubricator, state, command, day)
    if type(command) is cmd.RecordDeadlineBreach:
        return breach_escalation(directory, state, command, day)
    return command
