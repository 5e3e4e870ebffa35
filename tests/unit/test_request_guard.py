"""The depth check of the request guard against a plain byte scan of JSON, on bodies made to be
slow (a string that never closes, escaped quotes by the million) and on random ones."""

from __future__ import annotations

import random

import pytest

from api import request_guard
from api.request_guard import MAX_DEPTH, Refusal, check_body, too_deep

MIB = 1 << 20
# The reviewer's body: 65 levels open, then a string of escaped quotes that never closes.
REPRODUCER = b"[" * 65 + b'"' + b'\\"' * (MIB // 2)


_STEPS = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}  # outside strings


def scan(body: bytes, limit: int) -> bool | None:
    """Too deep or not, one byte at a time; None when a backslash stands outside a string before
    the limit is passed (no JSON has one there: a parser stops at it)."""
    inside = escaped = False
    depth = 0
    for byte in body:
        if inside:
            inside, escaped = in_string(byte, escaped)
        elif byte == ord("\\"):
            return None
        else:
            inside = byte == ord('"')
            depth += _STEPS.get(byte, 0)
            if depth > limit:
                return True
    return False


def in_string(byte: int, escaped: bool) -> tuple[bool, bool]:
    """After ``byte`` inside a string: whether still inside it, and whether the next byte is
    escaped."""
    if escaped:
        return True, False
    if byte == ord("\\"):
        return True, True
    return byte != ord('"'), False


def refusal(body: bytes) -> str | None:
    try:
        check_body(body)
    except Refusal as refused:
        return refused.title
    return None


@pytest.mark.parametrize(
    ("body", "deep"),
    [
        (b"[" * 64 + b"]" * 64, False),
        (b"[" * 65 + b"]" * 65, True),
        (b"[" * 65, True),  # never closed
        (b"[]" * 1000, False),
        (b'{"a":' * 64 + b"1" + b"}" * 64, False),
        (b'{"a":' * 65 + b"1" + b"}" * 65, True),
        (b'["' + b"[" * 1000 + b'"]', False),  # brackets in a string
        (b'["\\"' + b"[" * 1000 + b'"]', False),  # ... after an escaped quote
        (b'["\\\\"' + b"[" * 100 + b"]" * 100 + b"]", True),  # an escaped backslash ends nothing
        (b'["\\\\\\"' + b"[" * 100 + b'"]', False),  # \\ then \": still in the string
        (b'"' + b"[" * 100, False),  # a string that never closes
        (b'"\\' + b"[" * 100, False),
        (b'""' + b"[" * 100, True),  # an empty string, then 100 levels
        (b'"a""b"' + b"[" * 100, True),
        (b"]" * 10 + b"[" * 70, False),  # as before: the count starts at 0 and goes below
        (b"[" * 64 + b'"' + b"]" * 100 + b'"' + b"[", True),
    ],
)
def test_depth_counts_brackets_outside_strings(body: bytes, deep: bool) -> None:
    assert scan(body, MAX_DEPTH) is deep
    assert too_deep(body) is deep


def test_the_reproducer_is_refused_as_too_deep() -> None:
    assert refusal(REPRODUCER) == "The body nests too deep"


@pytest.mark.parametrize(
    "body",
    [
        b"[]" * 70 + b"[" * 64 + b'"' + b'\\"' * (MIB // 2) + b"[" * 1000,
        b"[]" * 70 + b"[" * 64 + b'"' + b'\\"' * (MIB // 2) + b"\\",
        b"[]" * 70 + b'"' * MIB,
        b"[" + b'"[" [ "]" ],' * (MIB // 13) + b"1]",
        b"[" + b",".join([b"[" * 63 + b"]" * 63] * (MIB // 128)) + b"]",
        b"[" + b",".join([b'{"a": [1, 2], "b": "t[e]xt \\" x"}'] * (MIB // 32)) + b"]",
    ],
    ids=["unclosed-escaped-quotes", "trailing-backslash", "quotes", "mixed", "depth-64", "objects"],
)
def test_a_megabyte_made_to_be_slow_and_no_deeper_than_64_passes(body: bytes) -> None:
    assert refusal(body) is None


def test_one_level_too_many_at_the_end_of_a_megabyte_is_refused() -> None:
    body = b"[" + b"[]," * (MIB // 3) + b"[" * 64 + b"]" * 64 + b"]"
    assert refusal(body) == "The body nests too deep"


@pytest.mark.parametrize(
    ("chunk", "passes"), [(1, 0), (2, 1), (3, 4), (5, 2), (64, 4), (1 << 16, 4)]
)
def test_random_bodies_agree_with_a_byte_scan(
    monkeypatch: pytest.MonkeyPatch, chunk: int, passes: int
) -> None:
    monkeypatch.setattr(request_guard, "_CHUNK", chunk)
    monkeypatch.setattr(request_guard, "_PASSES", passes)
    rng = random.Random(chunk * 31 + passes)
    pieces = [b"[", b"]", b"{", b"}", b'"', b'""', b"\\", b'\\"', b"\\\\", b"a", b"[" * 9, b"]" * 9]
    pieces += [b"[[[]]]", b"[][]"]
    compared = 0
    for _ in range(3000):
        body = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        for limit in (0, 1, 2, 5, 8, 20):
            expected = scan(body, limit)
            if expected is None:  # a parser stops at that backslash: either answer acceptable
                continue
            assert too_deep(body, limit) is expected, (body, limit)
            compared += 1
    assert compared > 1000
