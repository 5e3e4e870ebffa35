"""What the engine records of a failed build names no value from the events, and what a read
model writes is storable whatever an old event holds."""

from __future__ import annotations

import pickle

from psycopg.types.json import Jsonb

from projections.engine.failures import (
    MAX_LENGTH,
    HandlerFailed,
    describe,
    scrub,
)
from projections.engine.model import Build
from projections.engine.storable import cleaner, storable

PHONE = "+7 912 345-67-89"
NAME = "Иванов Пётр"


def raised(error: Exception) -> Exception:
    try:
        raise error
    except Exception as caught:
        return caught


def test_a_recorded_error_keeps_the_class_and_the_rule_but_no_value() -> None:
    described = describe(
        raised(ValueError(f"cannot file {NAME!r} under {PHONE}: ivanov@example.ru\nDETAIL: more"))
    )
    assert described.startswith("ValueError: cannot file … under")
    for value in ("912", "345", "Иванов", "ivanov", "example", "DETAIL"):
        assert value not in described


def test_a_recorded_error_says_where_our_code_raised_it() -> None:
    assert describe(raised(RuntimeError("handler bug"))) == (
        "RuntimeError: handler bug in tests/unit/test_projection_failures.py, raised"
    )


def test_a_database_style_key_detail_is_masked() -> None:
    text = scrub('duplicate key value violates unique constraint "x"\nKey (topic)=(Иванов 8912)')
    assert "Иванов" not in text and "8912" not in text and "\n" not in text


def test_control_characters_are_removed_and_the_text_is_bounded() -> None:
    text = scrub("a\x00b\x1b[31mc\td" + "x" * 1000)
    assert "\x00" not in text and "\x1b" not in text and "\t" not in text
    assert len(text) == MAX_LENGTH


def test_a_failure_crosses_a_process_boundary_as_its_description() -> None:
    failed = HandlerFailed(Build("appeals", 3), 42, raised(ValueError(f"bad {PHONE}")))
    copy = pickle.loads(pickle.dumps(failed))  # noqa: S301 (our own object)
    assert isinstance(copy, HandlerFailed)
    assert (copy.build, copy.position, copy.description) == (
        failed.build,
        42,
        failed.description,
    )
    assert "912" not in str(copy) and "appeals v3 failed at log position 42" in str(copy)


def test_text_loses_nul_and_lone_surrogates_and_ints_fit_their_column() -> None:
    assert cleaner("text")("t\x00x") == "tx"
    assert cleaner("text")("a\ud800b") == "a?b"
    assert cleaner("text[]")(["a\x00", "b"]) == ["a", "b"]
    assert cleaner("bigint")(2**64 - 1) == 2**63 - 1
    assert cleaner("integer")(-(10**30)) == -(2**31)
    assert cleaner("smallint[]")([10**6]) == [2**15 - 1]
    assert cleaner("boolean")(True) is True
    jsonb = cleaner("jsonb")(Jsonb({"k\x00": ["v\x00", 10**30]}))
    assert isinstance(jsonb, Jsonb) and jsonb.obj == {"k": ["v", 10**30]}


def test_storable_rows_leave_what_the_columns_hold_as_it_is() -> None:
    rows = [("плохо\x00", 2**64, None), ("хорошо", 5, ["x"])]
    assert storable(rows, ["text", "bigint", "text[]"]) == [
        ("плохо", 2**63 - 1, None),
        ("хорошо", 5, ["x"]),
    ]


def test_rows_whose_keys_become_equal_merge_as_two_upserts_would() -> None:
    rows = [("От\x00дел", 2, "a"), ("Отдел", 3, "b"), ("Другой", 1, "c")]
    merged = storable(rows, ["text", "integer", "text"], key=[0], add=[1])
    assert merged == [("Отдел", 5, "b"), ("Другой", 1, "c")]
