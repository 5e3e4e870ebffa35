"""Bringing the recorded directory to the one a file describes: only the differences, as the
changes of one batch, in an order the batch decides (people and parents first, positions given up
before units close, a unit's dependants ended before it). Pure: the file is read elsewhere.

What a file cannot say: a unit absent from it is NOT closed (a closure is an order with a date,
listed in the file; a partial export must not close half the administration); an alias absent
from it is kept (names recorded with it must keep resolving); an ended unit is not reopened,
renamed or re-dated; a kind or a founder does not change (the directory has no such event). A
position held but absent from the file IS relieved: the file lists who holds what."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

import msgspec

from domain.organisation.commands import (
    AddAlias,
    Appoint,
    Change,
    CloseUnit,
    CreateUnit,
    MergeUnit,
    MoveUnit,
    RegisterPerson,
    Relieve,
    RenamePerson,
    RenameUnit,
    SetEmail,
)
from domain.organisation.directory import Directory, folded
from domain.organisation.events import Position, UnitKind
from domain.shared.errors import InvalidCommand


class DesiredUnit(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    kind: UnitKind
    name: str
    parent_id: str | None = None
    founder_id: str | None = None
    aliases: tuple[str, ...] = ()
    since: date | None = None  # the day a new unit is created (default: the batch's)
    closed: date | None = None
    merged_into: str | None = None
    merged: date | None = None  # the day of the merge into ``merged_into``

    @property
    def ends(self) -> bool:
        return self.closed is not None or self.merged_into is not None


class DesiredPerson(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    email: str | None = None  # none in the file: the recorded one is kept (cleared by a command)


class DesiredPosition(msgspec.Struct, frozen=True, kw_only=True):
    person: str
    unit: str
    position: Position
    since: date | None = None
    until: date | None = None  # the day it ended (not held on that day)


class DesiredDirectory(msgspec.Struct, frozen=True, kw_only=True):
    units: tuple[DesiredUnit, ...] = ()
    # None: the file has no such table and leaves people (or positions) as they are; an empty
    # table says there are none (every position held is relieved).
    people: tuple[DesiredPerson, ...] | None = None
    positions: tuple[DesiredPosition, ...] | None = None


class PlanRefused(InvalidCommand):
    """The file asks for what no change can do (reopen a unit, change its kind)."""

    code = "directory-plan-refused"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def plan(d: Directory, want: DesiredDirectory) -> list[Change]:
    """The changes that bring ``d`` to ``want`` (empty when it is there already)."""
    problems = [*_unit_problems(d, want), *_cycles(want)]
    if problems:
        raise PlanRefused(problems)
    return [
        *_people(d, want),
        *_new_units(d, want),
        *_changed_units(d, want),
        *_positions(d, want),
        *_endings(d, want),
    ]


def _ended(d: Directory, unit_id: str) -> bool:
    unit = d.units.get(unit_id)
    return unit is not None and unit.ended is not None


def _unit_problems(d: Directory, want: DesiredDirectory) -> Iterator[str]:
    for u in want.units:
        recorded = d.units.get(u.id)
        if recorded is None:
            continue
        if recorded.kind is not u.kind:
            yield f"unit {u.id}: its kind cannot change ({recorded.kind.value} in the directory)"
        if recorded.founder_id != u.founder_id:
            yield f"unit {u.id}: its founder cannot change (create a new institution)"
        if recorded.ended is not None and not u.ends:
            yield f"unit {u.id}: it ended on {recorded.ended} and cannot be reopened"
        if recorded.ended is None and u.parent_id is None and d.parent_of(u.id) is not None:
            yield f"unit {u.id}: only a municipality has no parent"


def _cycles(want: DesiredDirectory) -> Iterator[str]:
    parents = {u.id: u.parent_id for u in want.units}
    for start in parents:
        seen: set[str] = set()
        current: str | None = start
        while current is not None and current not in seen:
            seen.add(current)
            current = parents.get(current)
        if current == start:
            yield f"unit {start}: it lies under itself (a loop of parent_id)"


def _people(d: Directory, want: DesiredDirectory) -> Iterator[Change]:
    for p in want.people or ():
        recorded = d.person(p.id)
        if recorded is None:
            yield RegisterPerson(person_id=p.id, name=p.name)
        elif recorded.name() != p.name:
            yield RenamePerson(person_id=p.id, name=p.name)
        if p.email is not None and (recorded is None or d.email_of(p.id) != p.email):
            yield SetEmail(person_id=p.id, email=p.email)


def _ordered(ids: Iterable[str], before: dict[str, list[str]]) -> list[str]:
    """``ids`` so that each comes after those ``before`` lists for it (in the same set)."""
    wanted, done, order = set(ids), set[str](), list[str]()

    def visit(unit_id: str) -> None:
        if unit_id in done:
            return
        done.add(unit_id)
        for first in before.get(unit_id, ()):
            if first in wanted:
                visit(first)
        order.append(unit_id)

    for unit_id in ids:
        visit(unit_id)
    return order


def _new_units(d: Directory, want: DesiredDirectory) -> Iterator[Change]:
    new = {u.id: u for u in want.units if u.id not in d.units}
    before = {u.id: [p for p in (u.parent_id, u.founder_id) if p] for u in new.values()}
    for unit_id in _ordered(new, before):
        u = new[unit_id]
        yield CreateUnit(
            unit_id=u.id,
            kind=u.kind,
            name=u.name,
            parent_id=u.parent_id,
            founder_id=u.founder_id,
            effective=u.since,
        )
        yield from _aliases(u, {folded(u.name)})


def _aliases(u: DesiredUnit, known: set[str]) -> Iterator[Change]:
    for alias in u.aliases:
        if folded(alias) not in known:
            known.add(folded(alias))
            yield AddAlias(unit_id=u.id, alias=alias)


def _changed_units(d: Directory, want: DesiredDirectory) -> Iterator[Change]:
    for u in want.units:
        recorded = d.units.get(u.id)
        if recorded is None or recorded.ended is not None or u.ends:
            continue  # new (created above), or ended: an ending unit keeps its last name
        if folded(d.name_of(u.id)) != folded(u.name):
            yield RenameUnit(unit_id=u.id, name=u.name)
        if u.parent_id is not None and d.parent_of(u.id) != u.parent_id:
            yield MoveUnit(unit_id=u.id, parent_id=u.parent_id)
        known = {folded(n) for _, n in recorded.names} | {folded(a) for a in recorded.aliases}
        yield from _aliases(u, known | {folded(u.name)})


def _positions(d: Directory, want: DesiredDirectory) -> Iterator[Change]:
    if want.positions is None:
        return  # the file does not describe positions: they stay as they are
    wanted = {(p.person, p.unit, p.position): p for p in want.positions}
    appoint: list[Change] = []
    for key, p in wanted.items():
        person = d.person(p.person)
        held = (
            []
            if person is None
            else [h for h in person.positions if (h.unit_id, h.position) == key[1:]]
        )
        if any(h.until is None for h in held):
            if p.until is not None:
                yield Relieve(
                    person_id=p.person, unit_id=p.unit, position=p.position, effective=p.until
                )
            continue
        if held and p.until is not None:
            continue  # a past position already recorded
        appoint.append(
            Appoint(person_id=p.person, unit_id=p.unit, position=p.position, effective=p.since)
        )
        if p.until is not None:
            appoint.append(
                Relieve(person_id=p.person, unit_id=p.unit, position=p.position, effective=p.until)
            )
    for person in sorted(d.people.values(), key=lambda x: x.id):
        for h in person.positions:
            if h.until is None and (person.id, h.unit_id, h.position) not in wanted:
                yield Relieve(person_id=person.id, unit_id=h.unit_id, position=h.position)
    yield from appoint


def _endings(d: Directory, want: DesiredDirectory) -> Iterator[Change]:
    ending = {u.id: u for u in want.units if u.ends and not _ended(d, u.id)}
    dependants: dict[str, list[str]] = {}
    for u in ending.values():
        recorded = d.units.get(u.id)
        now_under = (d.parent_of(u.id), recorded.founder_id) if recorded else ()
        for on in dict.fromkeys((u.parent_id, u.founder_id, u.merged_into, *now_under)):
            if on is not None:
                dependants.setdefault(on, []).append(u.id)
    for unit_id in _ordered(ending, dependants):
        u = ending[unit_id]
        if u.merged_into is not None:
            yield MergeUnit(unit_id=u.id, into_id=u.merged_into, effective=u.merged)
        else:
            yield CloseUnit(unit_id=u.id, effective=u.closed)


__all__ = [
    "DesiredDirectory",
    "DesiredPerson",
    "DesiredPosition",
    "DesiredUnit",
    "PlanRefused",
    "plan",
]
