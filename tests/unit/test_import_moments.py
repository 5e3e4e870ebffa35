"""The import's fast reading of dates and times reads exactly what ``strptime`` reads with the
profile's formats, and leaves everything else to it (so a cell never reads differently)."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.intake.cells import Moments
from infra.intake.profile import load_profile

CASES = [
    "12.01.2026 08:01",
    "1.1.2026 8:01",
    "12.01.2026 08:01:59",
    "31.02.2026 08:01",
    "2026-01-12 08:01:00",
    "2026-01-12T08:01:00",
    "12.01.2026",
    "2026-01-12",
    " 12.01.2026",
    "12.01.2026  08:01",
    "12/01/2026 08:01:00 PM",
    "00.01.2026",
    "12.13.2026",
    "12.01.2026 24:00",
    "12.01.2026 23:60",
    "12.01.2026 08:01+03:00",
    "2026-01-12T08:01:00+03:00",
    "١٢.01.2026 08:01",
    "12.01.99999",
]


def _pair(profile: str) -> tuple[Moments, Moments]:
    p = load_profile(profile)
    fast = Moments(p.timezone, p.datetime_formats, p.date_formats)
    slow = Moments(p.timezone, p.datetime_formats, p.date_formats)
    slow._fast = dict.fromkeys(slow._fast)  # strptime only
    return fast, slow


def _read(moments: Moments, value: str) -> object:
    try:
        return moments._read(value)
    except ValueError as refused:
        return type(refused)


@pytest.mark.parametrize("profile", ["pos", "incident-management", "generic-311"])
@pytest.mark.parametrize("value", CASES)
def test_fast_reading_equals_strptime(profile: str, value: str) -> None:
    fast, slow = _pair(profile)
    assert _read(fast, value) == _read(slow, value)


@given(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2110, 1, 1)),
    st.sampled_from(["%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d", "%m/%d/%Y %H:%M:%S"]),
    st.text(alphabet="0123456789 .:-/T", max_size=3),
)
def test_fast_reading_of_any_moment(moment: datetime, fmt: str, noise: str) -> None:
    for value in (moment.strftime(fmt), moment.strftime(fmt) + noise, noise + moment.strftime(fmt)):
        for profile in ("pos", "generic-311"):
            fast, slow = _pair(profile)
            assert _read(fast, value) == _read(slow, value)


def test_import_ids_are_version_7_increasing_and_distinct() -> None:
    from infra.intake.ids import Uuid7s

    new = Uuid7s()
    ids = [new() for _ in range(10_000)]  # many in one millisecond: the counter orders them
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids, key=lambda u: u.int)
    assert {u.version for u in ids} == {7} and {u.variant for u in ids} == {"specified in RFC 4122"}
