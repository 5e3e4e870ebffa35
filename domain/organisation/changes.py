"""Changing the directory: a batch of changes decided in order against the directory as it
stands (so one batch can create a sector and the units under it), each change one event. Only
an administrator (003 §4.5) or the system's loader changes it."""

from __future__ import annotations

from datetime import date

from domain.organisation import events as ev
from domain.organisation.commands import (
    AddAlias,
    Appoint,
    Change,
    ChangeDirectory,
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
from domain.organisation.directory import Directory, Person, evolve, folded
from domain.organisation.events import Position, UnitKind
from domain.organisation.lookup import require_open, resolve
from domain.shared.actors import Role
from domain.shared.envelope import Stamper
from domain.shared.errors import Forbidden, InvalidCommand
from domain.shared.handler import Decider, Decision

CHANGERS = frozenset({Role.ADMINISTRATOR, Role.SYSTEM})

# Which kinds of unit each kind may sit under, and where each position is held.
PARENTS: dict[UnitKind, frozenset[UnitKind]] = {
    UnitKind.MUNICIPALITY: frozenset(),
    UnitKind.SECTOR: frozenset({UnitKind.MUNICIPALITY}),
    UnitKind.UNIT: frozenset({UnitKind.MUNICIPALITY, UnitKind.SECTOR, UnitKind.UNIT}),
    UnitKind.INSTITUTION: frozenset({UnitKind.SECTOR, UnitKind.UNIT}),
}
HELD_IN: dict[Position, frozenset[UnitKind]] = {
    Position.HEAD: frozenset({UnitKind.MUNICIPALITY, UnitKind.UNIT, UnitKind.INSTITUTION}),
    Position.DEPUTY_HEAD: frozenset({UnitKind.SECTOR}),
    Position.EXECUTOR: frozenset({UnitKind.UNIT, UnitKind.INSTITUTION}),
    Position.CURATOR: frozenset({UnitKind.MUNICIPALITY}),
    Position.MCU_STAFF: frozenset({UnitKind.MUNICIPALITY, UnitKind.UNIT}),
}
ANY_KIND = frozenset(UnitKind)


def _unit_changes(d: Directory, change: Change, day: date, env: Stamper) -> ev.DirectoryEvent:
    match change:
        case CreateUnit():
            return _create(d, change, day, env)
        case RenameUnit():
            require_open(d, change.unit_id, day, kinds=ANY_KIND)
            if folded(d.name_of(change.unit_id, day)) == folded(change.name):
                raise InvalidCommand(f"{change.unit_id} already has this name")
            return ev.UnitRenamed(
                **env.envelope(), effective=day, unit_id=change.unit_id, name=change.name
            )
        case MoveUnit():
            return _move(d, change, day, env)
        case MergeUnit():
            kind = d.kind(change.unit_id)
            require_open(d, change.unit_id, day, kinds=ANY_KIND)
            require_open(
                d, change.into_id, day, kinds=frozenset({kind} if kind else ()), what="successor"
            )
            if change.into_id == change.unit_id:
                raise InvalidCommand("a unit cannot be merged into itself")
            _no_open_children(d, change.unit_id, day)
            return ev.UnitMerged(
                **env.envelope(), effective=day, unit_id=change.unit_id, into_id=change.into_id
            )
        case CloseUnit():
            require_open(d, change.unit_id, day, kinds=ANY_KIND)
            _no_open_children(d, change.unit_id, day)
            return ev.UnitClosed(**env.envelope(), effective=day, unit_id=change.unit_id)
        case AddAlias():
            require_open(d, change.unit_id, None, kinds=ANY_KIND)
            if resolve(d, change.alias) not in (None, change.unit_id) or _named_elsewhere(
                d, change
            ):
                raise InvalidCommand(
                    f"another unit already answers to this alias of {change.unit_id}"
                )
            return ev.UnitAliasAdded(
                **env.envelope(), effective=day, unit_id=change.unit_id, alias=change.alias
            )
    return _people_changes(d, change, day, env)


def _create(d: Directory, change: CreateUnit, day: date, env: Stamper) -> ev.UnitCreated:
    if change.unit_id in d.units:
        raise InvalidCommand(f"the id {change.unit_id} is taken (ids are never reused)")
    allowed = PARENTS[change.kind]
    if allowed and change.parent_id is None:
        raise InvalidCommand(f"a {change.kind.value} needs a parent_id")
    if not allowed and change.parent_id is not None:
        raise InvalidCommand("a municipality has no parent")
    if change.parent_id is not None:
        require_open(d, change.parent_id, day, kinds=allowed, what="parent")
    if change.kind is UnitKind.INSTITUTION:
        if change.founder_id is None:
            raise InvalidCommand("an institution needs its founding unit: founder_id")
        require_open(d, change.founder_id, day, kinds=frozenset({UnitKind.UNIT}), what="founder")
    elif change.founder_id is not None:
        raise InvalidCommand("only an institution has a founder_id")
    return ev.UnitCreated(
        **env.envelope(),
        effective=day,
        unit_id=change.unit_id,
        kind=change.kind,
        name=change.name,
        parent_id=change.parent_id,
        founder_id=change.founder_id,
    )


def _move(d: Directory, change: MoveUnit, day: date, env: Stamper) -> ev.UnitMoved:
    require_open(d, change.unit_id, day, kinds=ANY_KIND)
    kind = d.kind(change.unit_id)
    assert kind is not None
    require_open(d, change.parent_id, day, kinds=PARENTS[kind], what="parent")
    ancestor: str | None = change.parent_id
    while ancestor is not None:
        if ancestor == change.unit_id:
            raise InvalidCommand("a unit cannot move under itself or one of its own units")
        ancestor = d.parent_of(ancestor, day)
    if d.parent_of(change.unit_id, day) == change.parent_id:
        raise InvalidCommand(f"{change.unit_id} is already there")
    return ev.UnitMoved(
        **env.envelope(), effective=day, unit_id=change.unit_id, parent_id=change.parent_id
    )


def _people_changes(d: Directory, change: Change, day: date, env: Stamper) -> ev.DirectoryEvent:
    match change:
        case RegisterPerson():
            if change.person_id in d.people:
                raise InvalidCommand(f"the person id {change.person_id} is taken")
            return ev.PersonRegistered(
                **env.envelope(), effective=day, person_id=change.person_id, name=change.name
            )
        case RenamePerson():
            person = _person(d, change.person_id)
            if person.name(day) == change.name:
                raise InvalidCommand(f"{change.person_id} already has this name")
            return ev.PersonRenamed(
                **env.envelope(), effective=day, person_id=change.person_id, name=change.name
            )
        case Appoint():
            person = _person(d, change.person_id)
            require_open(d, change.unit_id, day, kinds=HELD_IN[change.position])
            if any(
                h.unit_id == change.unit_id and h.position is change.position and h.until is None
                for h in person.positions
            ):
                raise InvalidCommand(f"{change.person_id} already holds this position there")
            return ev.PositionTaken(
                **env.envelope(),
                effective=day,
                person_id=change.person_id,
                unit_id=change.unit_id,
                position=change.position,
            )
        case Relieve():
            person = _person(d, change.person_id)
            held = [
                h
                for h in person.positions
                if h.unit_id == change.unit_id and h.position is change.position and h.until is None
            ]
            if not held:
                raise InvalidCommand(f"{change.person_id} holds no such position there")
            if day < held[0].since:
                raise InvalidCommand("a position cannot end before it began")
            return ev.PositionLeft(
                **env.envelope(),
                effective=day,
                person_id=change.person_id,
                unit_id=change.unit_id,
                position=change.position,
            )
    raise InvalidCommand("an unknown directory change")  # pragma: no cover (the union is closed)


def _set_email(d: Directory, change: SetEmail, day: date, env: Stamper) -> ev.PersonContactSet:
    _person(d, change.person_id)
    if d.email_of(change.person_id, day) == change.email:
        raise InvalidCommand(f"{change.person_id} already has this e-mail")
    return ev.PersonContactSet(
        **env.envelope(), effective=day, person_id=change.person_id, email=change.email
    )


def _person(d: Directory, person_id: str) -> Person:
    person = d.person(person_id)
    if person is None:
        raise InvalidCommand(f"the directory has no person {person_id}")
    return person


def _no_open_children(d: Directory, unit_id: str, day: date) -> None:
    children = [u.id for u in d.listing(day) if u.parent_id == unit_id or u.founder_id == unit_id]
    if children:
        raise InvalidCommand(
            f"{unit_id} still has open units ({', '.join(children[:5])}): move, merge or close them first"
        )


def _named_elsewhere(d: Directory, change: AddAlias) -> bool:
    return change.alias in d.units and change.alias != change.unit_id


def decide(
    state: Directory | None, command: ChangeDirectory, c: Decision
) -> list[ev.DirectoryEvent]:
    if c.actor.role not in CHANGERS:
        raise Forbidden("only an administrator changes the directory")
    working = state.copy() if state is not None else Directory()
    env = Stamper(c.stream_id, c.version, c.actor, c.now, c.now)
    decided: list[ev.DirectoryEvent] = []
    for number, change in enumerate(command.changes, start=1):
        day = getattr(change, "effective", None) or command.effective or c.now.date()
        try:
            event = (
                _set_email(working, change, day, env)
                if isinstance(change, SetEmail)
                else _unit_changes(working, change, day, env)
            )
        except InvalidCommand as error:
            error.message = f"change {number}: {error.message}"
            error.args = (error.message,)
            raise
        working.apply(event)
        decided.append(event)
    return decided


DIRECTORY = Decider(
    name="directory",
    events=ev.DirectoryEvent,
    evolve=evolve,
    decide=decide,
)
