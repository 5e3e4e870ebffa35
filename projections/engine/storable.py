"""Values as a read model's columns can hold them, whatever an old event in the log carries: text
without NUL (PostgreSQL text cannot hold it, nor jsonb ``\\u0000``) or lone surrogates, integers
clamped to their column's range. Applied only to a write the database refused (the common case
costs nothing), and it changes nothing a column could hold, so a build is the same however its
batches fall."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

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
