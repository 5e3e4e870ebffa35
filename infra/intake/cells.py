"""One cell of an export read as what its column holds: a text, a moment, a number. A cell that
cannot be read raises ``CellRefused`` naming the rule (never the value)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, get_type_hints
from zoneinfo import ZoneInfo

import msgspec

from domain.appeals import commands as cmd
from domain.shared.inputs import EARLIEST_YEAR, LATEST_YEAR
from infra.intake.reading import Cell


class CellRefused(ValueError):
    """The cell breaks its column's rule (the message is the rule)."""


def text_of(cell: Cell) -> str | None:
    """The cell as a text (None when empty); a whole number written as 12.0 reads as 12."""
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    value = str(cell).strip()
    return value or None


# The directives a fast reader handles (digits only; everything else goes to ``strptime``).
_DIGITS = {"d": "[0-9]{1,2}", "m": "[0-9]{1,2}", "Y": "[0-9]{4}", "H": "[0-9]{1,2}"}
_DIGITS |= {"M": "[0-9]{1,2}", "S": "[0-9]{1,2}"}
_FIELDS = {"Y": 0, "m": 1, "d": 2, "H": 3, "M": 4, "S": 5}


def _fast(fmt: str) -> tuple[re.Pattern[str], tuple[int, ...]] | None:
    """A regular expression reading ``fmt`` exactly when it is made of the digit directives and
    literal characters (a string it does not match is left to ``strptime``, whose rules are
    looser: a value it matches reads as ``strptime`` reads it)."""
    parts: list[str] = []
    order: list[tuple[str, int]] = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%":
            directive = fmt[i + 1 : i + 2]
            if directive not in _DIGITS or directive in [k for k, _ in order]:
                return None
            parts.append(f"({_DIGITS[directive]})")
            order.append((directive, _FIELDS[directive]))
            i += 2
        else:
            parts.append(re.escape(fmt[i]))
            i += 1
    if {"Y", "m", "d"} - {k for k, _ in order}:
        return None
    return re.compile("".join(parts)), tuple(f for _, f in order)


# Groups of ASCII digits between single separators: where strptime is looser than the fast reader
# (runs of spaces, a space-padded day, digits of other scripts) it cannot be.
_STRICT = re.compile(r"[0-9]+(?:[.:/T -][0-9]+)*")


def _read_fast(value: str, fast: tuple[re.Pattern[str], tuple[int, ...]]) -> datetime | None:
    found = fast[0].fullmatch(value)
    if found is None:
        return None
    fields = [0, 0, 0, 0, 0, 0]
    for place, digits in zip(fast[1], found.groups(), strict=True):
        fields[place] = int(digits)
    year, month, day, hour, minute, second = fields
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


class Moments:
    """Reads moments written in the profile's formats (or ISO 8601); a time without an offset is
    in the profile's zone; a date alone reads as the end of that day when it is a deadline."""

    def __init__(self, zone: str, datetimes: tuple[str, ...], dates: tuple[str, ...]) -> None:
        self.zone = ZoneInfo(zone)
        self.datetimes = datetimes
        self.dates = dates
        self._fast = {fmt: _fast(fmt) for fmt in (*datetimes, *dates)}
        self._cache: dict[str, tuple[datetime, bool]] = {}

    def read(self, cell: Cell, *, deadline: bool = False) -> datetime | None:
        """The moment (UTC); a deadline given as a day is its last moment (on time until its
        end: the day's last microsecond, the source's deadline being inclusive)."""
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            return None
        moment, day_only = self._parse(cell)
        if day_only and deadline:
            return moment + timedelta(days=1) - timedelta(microseconds=1)
        return moment

    def _parse(self, cell: Cell) -> tuple[datetime, bool]:
        if isinstance(cell, datetime):
            return self._aware(cell), False
        if isinstance(cell, date):
            return self._aware(datetime.combine(cell, time(0))), True
        if not isinstance(cell, str):
            raise CellRefused("not a date and time")
        value = cell.strip()
        known = self._cache.get(value)
        if known is None:
            known = self._cache[value] = self._from_text(value)
            if len(self._cache) > 200_000:
                self._cache.clear()
        return known

    def _from_text(self, value: str) -> tuple[datetime, bool]:
        parsed, day_only = self._read(value)
        return self._aware(parsed), day_only  # outside the formats' loop: its rule is its own

    def _read(self, value: str) -> tuple[datetime, bool]:
        strict = _STRICT.fullmatch(value) is not None
        for fmts, day_only in ((self.datetimes, False), (self.dates, True)):
            for fmt in fmts:
                fast = self._fast[fmt]
                if fast is not None:
                    if (read := _read_fast(value, fast)) is not None:
                        return read, day_only
                    if strict:
                        continue  # strptime reads no more than the fast reader of such a value
                try:
                    return datetime.strptime(value, fmt), day_only
                except ValueError:
                    continue
        try:
            return datetime.fromisoformat(value), len(value) <= 10
        except ValueError:
            raise CellRefused("not a date and time in the profile's formats or ISO 8601") from None

    def _aware(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            raise CellRefused(f"a time must lie in the years {EARLIEST_YEAR}–{LATEST_YEAR}")
        return moment.astimezone(UTC)


def number_of(cell: Cell, low: float, high: float) -> float | None:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    try:
        value = float(str(cell).replace(",", ".")) if not isinstance(cell, int | float) else cell
    except ValueError:
        raise CellRefused("not a number") from None
    if not low <= value <= high:
        raise CellRefused(f"a number from {low:g} to {high:g}")
    return float(value)


def whole_of(cell: Cell) -> int | None:
    value = number_of(cell, 0, 10**12)
    if value is None:
        return None
    if not value.is_integer():
        raise CellRefused("a whole number")
    return int(value)


def _field(command: type[Any], name: str) -> Any:
    return get_type_hints(command, include_extras=True)[name]


# The input domain of the command fields texts of a row become (their declared types).
TEXT = _field(cmd.ReceiveAppeal, "text")
REFERENCE = _field(cmd.ReceiveAppeal, "external_id")
REGISTRATION_NUMBER = _field(cmd.RegisterAppeal, "registration_number")
ANSWER = _field(cmd.DraftAnswer, "text")


def in_domain(value: str, kind: Any) -> str:
    """``value`` when it lies in the input domain of ``kind`` (a command field's type: its
    length, its characters); the rule it breaks otherwise (never the value)."""
    try:
        msgspec.convert(value, kind)
    except msgspec.ValidationError as error:
        rule = str(error).split(" - at ", 1)[0]
        if "regex" in rule:  # the pattern's text says nothing to the reader of a report
            rule = "holds characters or a form it may not (control characters, line breaks)"
        raise CellRefused(rule) from None
    return value
