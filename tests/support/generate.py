"""Hypothesis strategies for any command, built from its msgspec type: a valid command, or a
valid command with one field set to what an attacker or a careless client sends (NUL, lone
surrogates, blank and over-long texts, numbers past bigint, infinities, year 1 and year 9999,
naive times, unknown enum members, values of the wrong type)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import msgspec
from hypothesis import strategies as st

ins = msgspec.inspect
NOW = datetime.now(UTC)
LETTERS = "абвгдеёжзийклмнопрстуфхцчшщэюяАБВГД0123456789"
NASTY: dict[type[Any], tuple[Any, ...]] = {
    ins.StrType: (
        "t\x00x",
        "\ud800",
        "a\x1bb",
        "   ",
        "",
        "е\u0308",
        "\ufeff",
        "x" * 20_001,
        "+7 (912) 555-01-23",
        "line\nbreak",
        7,
    ),
    ins.IntType: (-1, 0, 2**31, 2**63 - 1, 2**63, 2**64 - 1, -(2**63) - 1, 10**30, "1", 1.5),
    ins.FloatType: (float("inf"), float("-inf"), float("nan"), -1.0, 1e308, "0.5"),
    ins.DateTimeType: (
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))),
        datetime(1999, 12, 31, 23, 0, tzinfo=UTC),
        datetime(2026, 3, 2, 9, 0),  # naive
        datetime(2099, 1, 1, tzinfo=UTC),  # far ahead of now
        "yesterday",
    ),
    ins.DateType: (date(1, 1, 1), date(9999, 12, 31), date(1999, 12, 31), "2026-02-30"),
}


def _unwrap(info: Any) -> Any:
    while isinstance(info, ins.Metadata):
        info = info.type
    return info


def _text(info: Any) -> st.SearchStrategy[str]:
    low = max(info.min_length or 0, 1)
    if info.pattern and info.pattern.startswith("^https?"):
        return st.text(LETTERS[:20], min_size=1, max_size=10).map(lambda w: f"https://vk.com/{w}")
    if info.pattern and info.pattern.startswith("^(20"):  # months
        return st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2020, 2030), st.integers(1, 12))
    return st.text(LETTERS, min_size=low, max_size=low + 30)


def _integers(info: Any) -> st.SearchStrategy[int]:
    low = info.ge if info.ge is not None else 0
    return st.integers(low, info.le if info.le is not None else low + 1000)


# A value each scalar type accepts, by its kind.
_SCALARS: dict[type[Any], Callable[[Any], st.SearchStrategy[Any]]] = {
    ins.StrType: _text,
    ins.BoolType: lambda _: st.booleans(),
    ins.IntType: _integers,
    ins.FloatType: lambda _: st.floats(0.01, 1),
    # after the history
    ins.DateTimeType: lambda _: st.builds(lambda: datetime.now(UTC) - timedelta(seconds=1)),
    ins.DateType: lambda _: st.integers(-400, 400).map(lambda d: NOW.date() + timedelta(days=d)),
    ins.UUIDType: lambda _: st.uuids(),
    ins.EnumType: lambda info: st.sampled_from([m.value for m in info.cls]),
    ins.NoneType: lambda _: st.none(),
}


def valid(info: Any) -> st.SearchStrategy[Any]:
    """A value the type accepts (as ``msgspec.convert`` takes it)."""
    info = _unwrap(info)
    scalar = next((make for kind, make in _SCALARS.items() if isinstance(info, kind)), None)
    if scalar is not None:
        return scalar(info)
    if isinstance(info, ins.UnionType):
        return st.one_of(*(valid(t) for t in info.types))
    if isinstance(info, ins.VarTupleType | ins.ListType | ins.FrozenSetType | ins.SetType):
        low = info.min_length or 0
        return st.lists(valid(info.item_type), min_size=low, max_size=low + 2)
    if isinstance(info, ins.StructType):
        required = {f.name: valid(f.type) for f in info.fields if f.required}
        optional = {f.name: valid(f.type) for f in info.fields if not f.required}
        return st.fixed_dictionaries(required, optional=optional)
    raise NotImplementedError(f"no strategy for {info!r}")


def nasty(info: Any) -> st.SearchStrategy[Any]:
    """A value that once got through somewhere, or that the type should refuse."""
    info = _unwrap(info)
    if isinstance(info, ins.UnionType):
        return st.one_of(*(nasty(t) for t in info.types if not isinstance(t, ins.NoneType)))
    if isinstance(info, ins.VarTupleType | ins.ListType | ins.FrozenSetType | ins.SetType):
        return st.lists(nasty(info.item_type), min_size=1, max_size=2)
    if isinstance(info, ins.StructType):
        return one_field_spoiled(info)
    if isinstance(info, ins.EnumType):
        return st.sampled_from(("", "+7 (912) 555-01-23", "\x00", 1))
    for kind, values in NASTY.items():
        if isinstance(info, kind):
            return st.one_of(
                st.sampled_from(values), st.text(st.characters(codec=None), max_size=20)
            )
    return st.just(None)


def one_field_spoiled(info: ins.StructType) -> st.SearchStrategy[dict[str, Any]]:
    return st.sampled_from(info.fields).flatmap(
        lambda field: st.tuples(valid(info), nasty(field.type)).map(
            lambda pair: {**pair[0], field.encode_name: pair[1]}
        )
    )


def commands(cls: type[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Raw fields for a command of type ``cls``: valid, or with one field spoiled."""
    info = ins.type_info(cls)
    assert isinstance(info, ins.StructType)
    return st.one_of(valid(info), one_field_spoiled(info))
