"""Which unit each appeal counts under in a rating, from the directory in force for the period:
the unit it was assigned to (a name recorded before the directory resolves through names and
aliases), or the one it was merged into by then; its sector as the directory had it then; and
the name each unit is shown under for the period, with the names it had before."""

from __future__ import annotations

from datetime import date

from domain.organisation.directory import Directory
from domain.organisation.events import UnitKind
from domain.organisation.lookup import resolve
from domain.ratings.methodology import Scope

# the scope's units, by the directory's kinds (a name the directory does not know stays a unit)
KINDS = {Scope.DEPARTMENT: UnitKind.UNIT, Scope.INSTITUTION: UnitKind.INSTITUTION}


def unit_of(directory: Directory, recorded: str, scope: Scope, at: date) -> str | None:
    """The unit an appeal recorded under ``recorded`` (an id, or an older name) counts under in
    ``scope`` on ``at``; None when it does not belong to the scope."""
    found = resolve(directory, recorded)
    if found is None:  # not in the directory: as recorded, among the departments
        return recorded if scope is Scope.DEPARTMENT else None
    unit = directory.rated_as(found, at)
    if scope is Scope.SECTOR:
        return directory.sector_of(unit, at)
    kind = directory.kind(unit)
    return unit if kind is KINDS.get(scope) else None


def mapping(
    directory: Directory, recorded: list[str], scope: Scope, at: date
) -> tuple[list[str], list[str]]:
    """The recorded values and the units they count under (those in the scope), as two
    parallel lists for SQL's ``unnest``."""
    pairs = [(r, unit_of(directory, r, scope, at)) for r in recorded]
    kept = [(r, u) for r, u in pairs if u is not None]
    return [r for r, _ in kept], [u for _, u in kept]


def shown_as(directory: Directory, unit: str, at: date) -> tuple[str, tuple[str, ...]]:
    """The unit's name in force on ``at`` and the names it had before (or the recorded name)."""
    found = directory.unit(unit, at)
    if found is None:
        return directory.name_of(unit, at), ()
    return found.name, found.former_names
