"""The rows of a directory file (whatever its format) read into the directory it describes, every
error collected with its file, table, row and column and the rule it breaks (never a cell's
value), so an administrator fixes them all at once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from domain.organisation.changes import HELD_IN, PARENTS
from domain.organisation.events import UnitKind
from domain.organisation.sync import (
    DesiredDirectory,
    DesiredPerson,
    DesiredPosition,
    DesiredUnit,
)
from infra.organisation.cells import COLUMNS, BadCell, blank


@dataclass(frozen=True)
class RowError:
    file: str  # the file's name, not its path
    table: str  # units, people or positions (the sheet, the CSV file, the TOML array)
    row: (
        int  # the row as a spreadsheet numbers it (the header is row 1); in TOML the entry's number
    )
    column: str | None
    rule: str

    def __str__(self) -> str:
        where = f"{self.file}, {self.table}, row {self.row}"
        return f"{where}, {self.column}: {self.rule}" if self.column else f"{where}: {self.rule}"


class FileRefused(Exception):
    """The file has errors; nothing of it is loaded."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} errors in the directory file")
        self.errors = errors


Row = tuple[int, dict[str, Any]]  # the row's number and its cells by column name


@dataclass
class Tables:
    """A file's tables as read from its format: ``None`` for a table the file does not have."""

    file: str
    units: list[Row] | None = None
    people: list[Row] | None = None
    positions: list[Row] | None = None
    errors: list[RowError] = field(default_factory=list)
    # every id the units and people tables give, their rows read or not
    unit_ids: set[str] = field(default_factory=set)
    people_ids: set[str] = field(default_factory=set)

    def error(self, table: str, row: int, column: str | None, rule: str) -> None:
        self.errors.append(RowError(self.file, table, row, column, rule))


def _cells(t: Tables, table: str, number: int, raw: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    columns = COLUMNS[table]
    values: dict[str, Any] = {}
    ok = True
    for column in raw:
        if column not in columns:
            t.error(table, number, column, f"no such column (columns: {', '.join(columns)})")
            ok = False
    for column, (parse, required) in columns.items():
        cell = raw.get(column)
        if blank(cell):
            if required:
                t.error(table, number, column, "a value is required")
                ok = False
            continue
        try:
            values[column] = parse(cell)
        except BadCell as bad:
            t.error(table, number, column, bad.rule)
            ok = False
    return values, ok


def _read(t: Tables, table: str, rows: list[Row] | None) -> tuple[list[Row], list[Row]]:
    """The rows whose every cell is read, and every row's cells that are (a row with an error
    still answers for its id: the rows naming it are not refused for it too)."""
    good: list[Row] = []
    every: list[Row] = []
    for number, raw in rows or ():
        values, ok = _cells(t, table, number, raw)
        every.append((number, values))
        if ok:
            good.append((number, values))
    return good, every


def _unique(t: Tables, table: str, rows: list[Row], key: tuple[str, ...]) -> None:
    seen: dict[tuple[Any, ...], int] = {}
    for number, values in rows:
        if any(c not in values for c in key):
            continue
        k = tuple(values[c] for c in key)
        if k in seen:
            t.error(table, number, key[0], f"the same as row {seen[k]}: each is listed once")
        seen.setdefault(k, number)


def _unit_rules(
    values: dict[str, Any], kinds: dict[str, UnitKind | None]
) -> Iterator[tuple[str, str]]:
    kind: UnitKind = values["kind"]
    allowed = PARENTS[kind]
    parent = values.get("parent_id")
    if parent is None and allowed:
        yield "parent_id", f"a {kind.value} needs a parent"
    elif parent is not None and not allowed:
        yield "parent_id", "a municipality has no parent"
    elif parent is not None and kinds.get(parent) not in (*allowed, None):
        yield "parent_id", f"a {kind.value} cannot lie under a {kinds[parent]}"
    founder = values.get("founder_id")
    if (founder is None) == (kind is UnitKind.INSTITUTION):
        yield "founder_id", "an institution names its founding unit, and only an institution"
    elif founder is not None and kinds.get(founder) not in (UnitKind.UNIT, None):
        yield "founder_id", "the founder is a unit (управление, отдел, комитет)"
    if values.get("closed") and values.get("merged_into"):
        yield "closed", "a unit is either closed or merged, not both"
    if (values.get("merged_into") is None) != (values.get("merged") is None):
        yield "merged", "merged_into and merged (the day) go together"
    for column in ("parent_id", "founder_id", "merged_into"):
        if values.get(column) is not None and values[column] not in kinds:
            yield column, "names no unit of the file (the file lists the whole directory)"


def _units(t: Tables) -> tuple[DesiredUnit, ...]:
    rows, every = _read(t, "units", t.units)
    _unique(t, "units", every, ("id",))
    kinds = {values["id"]: values.get("kind") for _, values in every if "id" in values}
    t.unit_ids = set(kinds)
    for number, values in rows:
        for column, rule in _unit_rules(values, kinds):
            t.error("units", number, column, rule)
    return tuple(DesiredUnit(**values) for _, values in rows)


def _people(t: Tables) -> tuple[DesiredPerson, ...] | None:
    if t.people is None:
        return None
    rows, every = _read(t, "people", t.people)
    _unique(t, "people", every, ("id",))
    t.people_ids = {values["id"] for _, values in every if "id" in values}
    return tuple(DesiredPerson(**values) for _, values in rows)


def _position_rules(
    values: dict[str, Any], units: dict[str, DesiredUnit], t: Tables, people: bool
) -> Iterator[tuple[str, str]]:
    if people and values["person"] not in t.people_ids:
        yield "person", "names no person of the file"
    unit = units.get(values["unit"])
    if values["unit"] not in t.unit_ids:
        yield "unit", "names no unit of the file"
    elif unit is None:
        pass  # its row has errors of its own
    elif unit.kind not in HELD_IN[values["position"]]:
        yield "position", f"not a position of a {unit.kind.value}"
    elif unit.ends and values.get("until") is None:
        yield "until", "the unit ends: a position in it ends too"
    since, until = values.get("since"), values.get("until")
    if since is not None and until is not None and until <= since:
        yield "until", "a position ends after it begins"


def _positions(
    t: Tables, units: tuple[DesiredUnit, ...], people: tuple[DesiredPerson, ...] | None
) -> tuple[DesiredPosition, ...] | None:
    if t.positions is None:
        return None
    if people is None:
        t.error("positions", 1, None, "positions need the people table beside them")
    rows, every = _read(t, "positions", t.positions)
    _unique(t, "positions", every, ("person", "unit", "position"))
    by_id = {u.id: u for u in units}
    for number, values in rows:
        for column, rule in _position_rules(values, by_id, t, people is not None):
            t.error("positions", number, column, rule)
    return tuple(DesiredPosition(**values) for _, values in rows)


def desired(t: Tables) -> DesiredDirectory:
    """The directory the tables describe, or FileRefused with every error found."""
    if t.units is None and not t.errors:
        t.error("units", 1, None, "the file has no units table")
    units = _units(t)
    people = _people(t)
    positions = _positions(t, units, people)
    if t.errors:
        raise FileRefused(t.errors)
    return DesiredDirectory(units=units, people=people, positions=positions)
