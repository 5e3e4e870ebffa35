"""The directory as a state folded from its events, read as of any date: which units existed,
under which names and parents, who held which position. Pure: no storage, no clock."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import msgspec

from domain.organisation import events as ev
from domain.organisation.events import Position, UnitKind

V = TypeVar("V")
History = list[tuple[date, V]]  # (effective, value), in order of effect (then of recording)


def _at(history: History[V], at: date | None) -> V | None:
    """The value in force on ``at`` (the latest one when ``at`` is None)."""
    found: V | None = None
    for effective, value in history:
        if at is not None and effective > at:
            break
        found = value
    return found


def _insert(history: History[V], effective: date, value: V) -> None:
    index = len(history)
    while index > 0 and history[index - 1][0] > effective:
        index -= 1
    history.insert(index, (effective, value))


def folded(name: str) -> str:
    """A name as compared: case and runs of spaces do not count, nor «ё» against «е»."""
    return " ".join(name.casefold().replace("ё", "е").split())


@dataclass
class _Unit:
    id: str
    kind: UnitKind
    created: date
    founder_id: str | None
    names: History[str] = field(default_factory=list)
    parents: History[str | None] = field(default_factory=list)
    ended: date | None = None
    merged_into: str | None = None
    aliases: list[str] = field(default_factory=list)


@dataclass
class Held:
    unit_id: str
    position: Position
    since: date
    until: date | None = None  # the day it ended (not held on that day)

    def on(self, at: date | None) -> bool:
        if at is None:
            return self.until is None
        return self.since <= at and (self.until is None or at < self.until)


@dataclass
class Person:
    id: str
    registered: date
    names: History[str] = field(default_factory=list)
    positions: list[Held] = field(default_factory=list)
    emails: History[str | None] = field(default_factory=list)

    def name(self, at: date | None = None) -> str:
        return _at(self.names, at) or _at(self.names, None) or self.id


class UnitAsOf(msgspec.Struct, frozen=True, kw_only=True):
    """A unit as it stood on a date, with the names it had before."""

    id: str
    kind: UnitKind
    name: str
    parent_id: str | None
    founder_id: str | None
    status: str  # open | merged | closed
    since: date
    until: date | None
    merged_into: str | None
    former_names: tuple[str, ...]
    aliases: tuple[str, ...]


class Directory:
    """Units and people, each with its history."""

    def __init__(self) -> None:
        self.units: dict[str, _Unit] = {}
        self.people: dict[str, Person] = {}

    def copy(self) -> Directory:
        return copy.deepcopy(self)

    # --- units -------------------------------------------------------------------------------

    def exists(self, unit_id: str, at: date | None = None) -> bool:
        unit = self.units.get(unit_id)
        return unit is not None and (at is None or unit.created <= at)

    def is_open(self, unit_id: str, at: date | None = None) -> bool:
        unit = self.units.get(unit_id)
        if unit is None or (at is not None and unit.created > at):
            return False
        return unit.ended is None or (at is not None and at < unit.ended)

    def kind(self, unit_id: str) -> UnitKind | None:
        unit = self.units.get(unit_id)
        return unit.kind if unit else None

    def name_of(self, unit_id: str, at: date | None = None) -> str:
        """The unit's name in force on ``at`` (its first name before it existed; the id when the
        directory does not know it: a name recorded before the directory)."""
        unit = self.units.get(unit_id)
        if unit is None:
            return unit_id
        return _at(unit.names, at) or unit.names[0][1]

    def parent_of(self, unit_id: str, at: date | None = None) -> str | None:
        unit = self.units.get(unit_id)
        return _at(unit.parents, at) if unit else None

    def unit(self, unit_id: str, at: date | None = None) -> UnitAsOf | None:
        unit = self.units.get(unit_id)
        if unit is None or (at is not None and unit.created > at):
            return None
        name = self.name_of(unit_id, at)
        ended = unit.ended is not None and (at is None or unit.ended <= at)
        status = "open" if not ended else "merged" if unit.merged_into else "closed"
        return UnitAsOf(
            id=unit.id,
            kind=unit.kind,
            name=name,
            parent_id=self.parent_of(unit_id, at),
            founder_id=unit.founder_id,
            status=status,
            since=unit.created,
            until=unit.ended,
            merged_into=unit.merged_into if ended else None,
            former_names=tuple(n for e, n in unit.names if n != name and (at is None or e <= at)),
            aliases=tuple(unit.aliases),
        )

    def listing(self, at: date | None = None, *, closed: bool = False) -> list[UnitAsOf]:
        """Every unit that existed on ``at`` (open ones only unless ``closed``), by id."""
        found = (self.unit(unit_id, at) for unit_id in sorted(self.units))
        return [u for u in found if u is not None and (closed or u.status == "open")]

    def sector_of(self, unit_id: str, at: date | None = None) -> str | None:
        """The sector a unit (or an institution, through its parent or founder) belongs to."""
        seen: set[str] = set()
        current: str | None = unit_id
        while current is not None and current not in seen:
            seen.add(current)
            unit = self.units.get(current)
            if unit is None:
                return None
            if unit.kind is UnitKind.SECTOR:
                return current
            current = self.parent_of(current, at) or unit.founder_id
        return None

    def rated_as(self, unit_id: str, at: date | None = None) -> str:
        """The unit an appeal of ``unit_id`` counts under on ``at``: the unit itself, or the one
        it was merged into by then (following merges)."""
        seen: set[str] = set()
        while unit_id not in seen:
            seen.add(unit_id)
            unit = self.units.get(unit_id)
            if unit is None or unit.merged_into is None or unit.ended is None:
                return unit_id
            if at is not None and at < unit.ended:
                return unit_id
            unit_id = unit.merged_into
        return unit_id

    # --- people ------------------------------------------------------------------------------

    def person(self, person_id: str) -> Person | None:
        return self.people.get(person_id)

    def email_of(self, person_id: str, at: date | None = None) -> str | None:
        """The person's work e-mail in force on ``at`` (None: none known then)."""
        person = self.people.get(person_id)
        return _at(person.emails, at) if person else None

    def holders(self, unit_id: str, position: Position, at: date | None = None) -> list[str]:
        """Who held ``position`` in the unit on ``at`` (while the unit was open), by id."""
        if not self.is_open(unit_id, at):
            return []
        return sorted(
            p.id
            for p in self.people.values()
            if any(
                h.unit_id == unit_id and h.position is position and h.on(at) for h in p.positions
            )
        )

    def responsible_for(self, unit_id: str, at: date | None = None) -> str | None:
        """The deputy head responsible for the unit's sector (001 §1.3): whom an escalation
        reaches by default."""
        sector = self.sector_of(unit_id, at)
        found = self.holders(sector, Position.DEPUTY_HEAD, at) if sector else []
        return found[0] if found else None

    def executor_unit(self, person_id: str, at: date | None = None) -> str | None:
        """The unit a person works appeals for: where they are an executor (or its head)."""
        person = self.people.get(person_id)
        if person is None:
            return None
        for held in person.positions:
            if (
                held.position in (Position.EXECUTOR, Position.HEAD)
                and held.on(at)
                and self.is_open(held.unit_id, at)
                and self.kind(held.unit_id) in (UnitKind.UNIT, UnitKind.INSTITUTION)
            ):
                return held.unit_id
        return None

    # --- evolve ------------------------------------------------------------------------------

    def apply(self, event: Any) -> None:
        handler = _APPLY.get(type(event))
        if handler is not None:
            handler(self, event)


def _created(d: Directory, e: ev.UnitCreated) -> None:
    unit = _Unit(id=e.unit_id, kind=e.kind, created=e.effective, founder_id=e.founder_id)
    unit.names.append((e.effective, e.name))
    unit.parents.append((e.effective, e.parent_id))
    d.units[e.unit_id] = unit


def _renamed(d: Directory, e: ev.UnitRenamed) -> None:
    _insert(d.units[e.unit_id].names, e.effective, e.name)


def _moved(d: Directory, e: ev.UnitMoved) -> None:
    _insert(d.units[e.unit_id].parents, e.effective, e.parent_id)


def _merged(d: Directory, e: ev.UnitMerged) -> None:
    unit = d.units[e.unit_id]
    unit.ended, unit.merged_into = e.effective, e.into_id


def _closed(d: Directory, e: ev.UnitClosed) -> None:
    d.units[e.unit_id].ended = e.effective


def _alias(d: Directory, e: ev.UnitAliasAdded) -> None:
    d.units[e.unit_id].aliases.append(e.alias)


def _person(d: Directory, e: ev.PersonRegistered) -> None:
    d.people[e.person_id] = Person(
        id=e.person_id, registered=e.effective, names=[(e.effective, e.name)]
    )


def _person_renamed(d: Directory, e: ev.PersonRenamed) -> None:
    _insert(d.people[e.person_id].names, e.effective, e.name)


def _contact(d: Directory, e: ev.PersonContactSet) -> None:
    _insert(d.people[e.person_id].emails, e.effective, e.email)


def _taken(d: Directory, e: ev.PositionTaken) -> None:
    d.people[e.person_id].positions.append(Held(e.unit_id, e.position, e.effective))


def _left(d: Directory, e: ev.PositionLeft) -> None:
    for held in d.people[e.person_id].positions:
        if held.unit_id == e.unit_id and held.position is e.position and held.until is None:
            held.until = e.effective


_APPLY: dict[type[Any], Any] = {
    ev.UnitCreated: _created,
    ev.UnitRenamed: _renamed,
    ev.UnitMoved: _moved,
    ev.UnitMerged: _merged,
    ev.UnitClosed: _closed,
    ev.UnitAliasAdded: _alias,
    ev.PersonRegistered: _person,
    ev.PersonRenamed: _person_renamed,
    ev.PositionTaken: _taken,
    ev.PositionLeft: _left,
    ev.PersonContactSet: _contact,
}


def evolve(state: Directory | None, event: ev.DirectoryEvent) -> Directory:
    directory = state if state is not None else Directory()
    directory.apply(event)
    return directory
