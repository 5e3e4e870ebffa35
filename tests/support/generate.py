"""Hypothesis strategies for any command, built from its msgspec type: valid values, and the
values an attacker or a careless client sends (NUL, lone surrogates, blank and over-long texts,
numbers past bigint, infinities, year 1 and year 9999, naive times, unknown enum members)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import msgspec
from hypothesis import strategies as st

NASTY_TEXTS = (
    "t\x00x",
    "\ud800",
    "a\x1bb",
    "   ",
    "",
    "е\u0308",  # e + combining diaeresis: NFC makes it ё
    "\ufeff",
    "x" * 20_001,
    "+7 (912) 555-01-23",
    "line\nbreak",
    "tab\there",
)
NASTY_INTS = (0, -1, 1, 5, 30, 2**31, 2**63 - 1, 2**63, 2**64 - 1, -(2**63) - 1, 10**30)
NASTY_TIMES = (
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
    datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))),
    datetime(1999, 12, 31, 23, 0, tzinfo=UTC),
    datetime(2026, 3, 2, 9, 0),  # naive
    datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    datetime(2099, 1, 1, tzinfo=UTC),  # far ahead of now
)
NASTY_DATES = (date(1, 1, 1), date(9999, 12, 31), date(1999, 12, 31), date(2026, 3, 9))


def _texts(info: msgspec.inspect.StrType) -> st.SearchStrategy[str]:
    high = min(info.max_length or 200, 200)
    ordinary = st.text(min_size=info.min_length or 0, max_size=high)
    any_code_point = st.text(st.characters(codec=None, exclude_categories=()), max_size=20)
    return st.one_of(ordinary, any_code_point, st.sampled_from(NASTY_TEXTS))


def strategy(info: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Python values (as ``msgspec.convert`` takes them) for the type ``info`` describes."""
    ins = msgspec.inspect
    if isinstance(info, ins.Metadata):
        return strategy(info.type, depth)
    if isinstance(info, ins.StrType):
        return _texts(info)
    if isinstance(info, ins.BoolType):
        return st.booleans()
    if isinstance(info, ins.IntType):
        return st.one_of(st.integers(-(2**70), 2**70), st.sampled_from(NASTY_INTS))
    if isinstance(info, ins.FloatType):
        return st.floats(allow_nan=True, allow_infinity=True)
    if isinstance(info, ins.DateTimeType):
        ordinary = st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
        )
        return st.one_of(ordinary, st.sampled_from(NASTY_TIMES))
    if isinstance(info, ins.DateType):
        return st.one_of(st.dates(), st.sampled_from(NASTY_DATES))
    if isinstance(info, ins.UUIDType):
        return st.uuids()
    if isinstance(info, ins.EnumType):
        return st.one_of(st.sampled_from([m.value for m in info.cls]), st.text(max_size=5))
    if isinstance(info, ins.NoneType):
        return st.none()
    if isinstance(info, ins.UnionType):
        return st.one_of(*(strategy(t, depth) for t in info.types))
    if isinstance(info, ins.VarTupleType | ins.ListType | ins.FrozenSetType | ins.SetType):
        size = 0 if depth > 2 else 3
        return st.lists(strategy(info.item_type, depth + 1), max_size=size).map(tuple)
    if isinstance(info, ins.StructType):
        return struct_values(info, depth)
    raise NotImplementedError(f"no strategy for {info!r}")


def struct_values(info: msgspec.inspect.StructType, depth: int = 0) -> st.SearchStrategy[Any]:
    required = {f.name: strategy(f.type, depth + 1) for f in info.fields if f.required}
    optional = {f.name: strategy(f.type, depth + 1) for f in info.fields if not f.required}
    return st.fixed_dictionaries(required, optional=optional)


def commands(cls: type[Any]) -> st.SearchStrategy[Any]:
    """Raw fields for a command of type ``cls`` (to be given to ``msgspec.convert``)."""
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    return struct_values(info)
