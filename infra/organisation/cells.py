"""One cell of a directory file, read into its value or refused by the rule it breaks (the rule
only: a cell's value may be a person's name and is never echoed)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from domain.organisation.events import Position, UnitKind
from domain.shared.inputs import EARLIEST_YEAR, LATEST_YEAR, LINE_PATTERN


class BadCell(ValueError):
    """The cell breaks ``rule``."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")  # as commands.DirectoryId
_LINE = re.compile(LINE_PATTERN)
MAX_TEXT = 500  # as ShortText


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text_of(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadCell("a text is expected here")
    return unicodedata.normalize("NFC", str(value)).strip()


def an_id(value: Any) -> str:
    text = _text_of(value)
    if not ID_PATTERN.match(text):
        raise BadCell(
            "an id is 1–63 lower-case latin letters, digits, '.', '_' or '-',"
            " starting with a letter or a digit"
        )
    return text


def a_line(value: Any) -> str:
    text = _text_of(value)
    if not text or len(text) > MAX_TEXT or not _LINE.match(text):
        raise BadCell(f"a one-line text of 1–{MAX_TEXT} characters without control characters")
    return text


_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")  # as commands.WorkEmail


def an_email(value: Any) -> str:
    text = _text_of(value)
    if len(text) > 254 or not _EMAIL.match(text):
        raise BadCell("an e-mail address (name@domain), one per cell")
    return text


def _choice(options: type[UnitKind] | type[Position]) -> Callable[[Any], Any]:
    names = ", ".join(o.value for o in options)

    def parse(value: Any) -> Any:
        text = _text_of(value)
        try:
            return options(text)
        except ValueError:
            raise BadCell(f"one of {names}") from None

    return parse


a_kind = _choice(UnitKind)
a_position = _choice(Position)


def a_date(value: Any) -> date:
    day: date | None = None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        for layout in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                day = datetime.strptime(text, layout).date()
                break
            except ValueError:
                continue
    if day is None or not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise BadCell(f"a date YYYY-MM-DD or DD.MM.YYYY in {EARLIEST_YEAR}–{LATEST_YEAR}")
    return day


def some_aliases(value: Any) -> tuple[str, ...]:
    """A list (TOML) or one cell with the names separated by ';' (CSV, XLSX)."""
    items = value if isinstance(value, list | tuple) else _text_of(value).split(";")
    found = [a_line(item) for item in items if not blank(item)]
    return tuple(dict.fromkeys(found))


# table → column → (parser, required); the names are the TOML keys, CSV and XLSX headers alike
COLUMNS: dict[str, dict[str, tuple[Callable[[Any], Any], bool]]] = {
    "units": {
        "id": (an_id, True),
        "kind": (a_kind, True),
        "name": (a_line, True),
        "parent_id": (an_id, False),
        "founder_id": (an_id, False),
        "aliases": (some_aliases, False),
        "since": (a_date, False),
        "closed": (a_date, False),
        "merged_into": (an_id, False),
        "merged": (a_date, False),
    },
    "people": {"id": (an_id, True), "name": (a_line, True), "email": (an_email, False)},
    "positions": {
        "person": (an_id, True),
        "unit": (an_id, True),
        "position": (a_position, True),
        "since": (a_date, False),
        "until": (a_date, False),
    },
}
