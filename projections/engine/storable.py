"""Values as a read model's columns can hold them, whatever an old event in the log carries: text
without NUL (PostgreSQL text cannot hold it, nor jsonb ``\\u0000``) or lone surrogates, integers
clamped to their column's range. Applied only to a write the database refused (the common case
costs nothing), and it changes nothing a column could hold, so a build is the same however its
batches fall.

Times are the exception: PostgreSQL stores a business time at the ends of the calendar (year 1
at +14:00 is year 0 in UTC, 9999 at -12:00 year 10000) without a word, but Python cannot read it
back, and a list sorted by it would fail on its first page. The database never refuses such a
time, so the fallback alone would not see it: every write keeps the times of its timestamptz
columns readable (``readable``, applied by ``Batch.upsert`` before it writes), and the fallback
applies the same rule, which changes nothing such a write holds."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, overload

import psycopg
from psycopg.types.json import Json, Jsonb

# Errors that a value the column cannot hold raises: from the server (class 22, data exception)
# or from the client's encoders (an int beyond 64 bits, a lone surrogate).
UNSTORABLE = (psycopg.DataError, OverflowError, UnicodeEncodeError)

_RANGES = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}


_TIMESTAMPTZ = "timestamp with time zone"  # as format_type names it (an array: with "[]")

# The times a view writes: those PostgreSQL and Python both hold in any time zone a session may
# read them in (an offset is less than a day, so a day's margin at each end of Python's calendar).
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)


@overload
def moment(value: datetime) -> datetime: ...
@overload
def moment(value: None) -> None: ...
def moment(value: datetime | None) -> datetime | None:
    """``value`` within [EARLIEST, LATEST] (the nearest end when it lies beyond one: a list sorted
    by it keeps its order). A time without a zone (which no view writes) is left as it is."""
    # years 2 to 9998 lie within whatever their offset: the common case compares no zones
    if value is None or 1 < value.year < 9999 or value.tzinfo is None:
        return value
    return min(max(value, EARLIEST), LATEST)


def text(value: str) -> str:
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode()
    except UnicodeEncodeError:  # a lone surrogate
        value = value.encode("utf-8", "replace").decode()
    return value


def cleaner(type_name: str) -> Callable[[Any], Any]:
    """A function that makes a value storable in a column of ``type_name``."""
    low, high = _RANGES.get(type_name.removesuffix("[]"), (None, None))

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return text(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, datetime):
            return moment(value)
        if isinstance(value, int) and low is not None and high is not None:
            return min(max(value, low), high)
        if isinstance(value, list | tuple):
            return type(value)(clean(v) for v in value)
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        if isinstance(value, Json | Jsonb):
            return type(value)(clean(value.obj))
        return value

    return clean


def readable(rows: Iterable[Sequence[Any]], types: Sequence[str]) -> list[Sequence[Any]]:
    """``rows`` (whose columns have ``types``) with every time in a ``timestamptz`` column (or
    an array of them) within [EARLIEST, LATEST] (``moment``); the other values as they are."""
    times = [(i, cleaner(t)) for i, t in enumerate(types) if t.startswith(_TIMESTAMPTZ)]
    if not times:
        return rows if isinstance(rows, list) else list(rows)
    kept: list[Sequence[Any]] = []
    for row in rows:
        values = list(row)
        for i, clean in times:
            values[i] = clean(values[i])
        kept.append(values)
    return kept


def storable(
    rows: Sequence[Sequence[Any]],
    types: Sequence[str],
    key: Sequence[int] = (),
    add: Sequence[int] = (),
) -> list[tuple[Any, ...]]:
    """``rows`` (whose columns have ``types``) with every value made storable. Rows whose ``key``
    columns become equal (``"a\x00b"`` and ``"ab"``) are merged as two upserts would merge
    them: the columns in ``add`` summed, the others the later row's."""
    cleaners = [cleaner(t) for t in types]
    merged: dict[tuple[Any, ...], list[Any]] = {}
    for row in rows:
        clean = [c(v) for c, v in zip(cleaners, row, strict=True)]
        identity = tuple(clean[i] for i in key) if key else (len(merged),)
        earlier = merged.get(identity)
        if earlier is not None:
            for i in add:
                if earlier[i] is not None and clean[i] is not None:
                    clean[i] = cleaners[i](earlier[i] + clean[i])
                elif clean[i] is None:
                    clean[i] = earlier[i]
        merged[identity] = clean
    return [tuple(row) for row in merged.values()]
