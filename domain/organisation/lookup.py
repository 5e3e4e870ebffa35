"""Finding units by what people type: a name recorded before the directory resolves through
current and former names and aliases; an unknown or closed unit is refused with the closest
matches, so the operator picks one instead of creating a new "department" by a typo."""

from __future__ import annotations

import difflib
from datetime import date

import msgspec

from domain.organisation.directory import Directory, folded
from domain.organisation.events import UnitKind
from domain.shared.errors import InvalidCommand


class Suggestion(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str


class UnknownUnit(InvalidCommand):
    """A command named a unit the directory does not have open; ``suggestions`` lists the
    closest open ones (from the directory, never the value sent)."""

    code = "unknown-unit"

    def __init__(self, message: str, suggestions: list[Suggestion]) -> None:
        super().__init__(message)
        self.extra = {"suggestions": [msgspec.to_builtins(s) for s in suggestions]}


def resolve(directory: Directory, name: str) -> str | None:
    """The unit a free-text name means: an id, a name it has or had, or an alias; None when
    nothing or more than one unit answers to it."""
    if name in directory.units:
        return name
    wanted = folded(name)
    found = {
        unit.id
        for unit in directory.units.values()
        if wanted in {folded(n) for _, n in unit.names} | {folded(a) for a in unit.aliases}
    }
    return found.pop() if len(found) == 1 else None


def recorded_as(directory: Directory, unit_id: str) -> tuple[str, ...]:
    """What an appeal of ``unit_id`` may have been recorded under: its id, and the names and
    aliases it has had (appeals assigned before the directory carry a name)."""
    unit = directory.units.get(unit_id)
    if unit is None:
        return (unit_id,)
    return tuple(dict.fromkeys((unit_id, *(n for _, n in unit.names), *unit.aliases)))


def suggest(
    directory: Directory,
    typed: str,
    at: date | None = None,
    *,
    kinds: frozenset[UnitKind] | None = None,
    limit: int = 5,
) -> list[Suggestion]:
    """The open units whose id, name or alias is closest to ``typed``."""
    keys: dict[str, str] = {}
    for unit in directory.listing(at):
        if kinds is not None and unit.kind not in kinds:
            continue
        for key in (unit.id, unit.name, *unit.former_names, *unit.aliases):
            keys.setdefault(folded(key), unit.id)
    close = difflib.get_close_matches(folded(typed), list(keys), n=limit * 3, cutoff=0.4)
    if not close:  # a word of the name is enough («жкх» for «Управление ЖКХ»)
        words = set(folded(typed).split())
        close = [k for k in keys if words & set(k.split())]
    ids = list(dict.fromkeys(keys[k] for k in close))[:limit]
    return [Suggestion(id=i, name=directory.name_of(i, at)) for i in ids]


def require_open(
    directory: Directory,
    unit_id: str,
    at: date | None,
    *,
    kinds: frozenset[UnitKind],
    what: str = "unit",
) -> str:
    """``unit_id`` when it is an open unit of one of ``kinds`` on ``at``, else UnknownUnit."""
    unit = directory.unit(unit_id, at)
    if unit is not None and unit.status == "open" and unit.kind in kinds:
        return unit_id
    if unit is None:
        reason = f"the directory has no such {what}"
    elif unit.status != "open":
        reason = f"the {what} is {unit.status} (since {unit.until})"
        if unit.merged_into:
            reason += f"; its work passed to {unit.merged_into}"
    else:
        reason = f"a {unit.kind.value} cannot be the {what} here"
    raise UnknownUnit(
        f"{reason}; name an open unit by its id", suggest(directory, unit_id, at, kinds=kinds)
    )
