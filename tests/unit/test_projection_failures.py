"""What the engine records of a failed build names no value from the events, what a read model
writes is storable (and readable back) whatever an old event holds, and a list cursor is taken
only as the API wrote it."""

from __future__ import annotations

import base64
import pickle
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
from psycopg.types.json import Jsonb

from projections.appeals import decode_cursor, encode_cursor
from projections.engine.failures import (
    MAX_LENGTH,
    HandlerFailed,
    describe,
    scrub,
)
from projections.engine.model import Build
from projections.engine.storable import EARLIEST, LATEST, cleaner, moment, storable
from projections.sla import SlaItem, _decode_cursor, _encode_cursor
from tests.support.old_log import FIRST_MOMENT, LAST_MOMENT  # year 0 and year 10000 in UTC

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


def test_times_beyond_what_python_reads_back_in_any_zone_are_kept_at_the_edge() -> None:
    assert moment(FIRST_MOMENT) == EARLIEST and moment(LAST_MOMENT) == LATEST
    assert moment(datetime.min.replace(tzinfo=UTC)) == EARLIEST
    assert moment(datetime.max.replace(tzinfo=UTC)) == LATEST
    inside = datetime(2026, 3, 2, 9, tzinfo=timezone(timedelta(hours=3)))
    assert moment(inside) is inside and moment(None) is None
    for kept in (
        datetime(1, 6, 1, tzinfo=timezone(timedelta(hours=14))),
        datetime(9999, 6, 1, tzinfo=timezone(timedelta(hours=-12))),
        datetime(2, 1, 1, tzinfo=timezone(timedelta(hours=23, minutes=59))),  # 0001-12-31 UTC
        datetime(9998, 12, 31, 23, 59, tzinfo=timezone(-timedelta(hours=23, minutes=59))),
        EARLIEST,
        LATEST,
    ):
        assert moment(kept) is kept
    assert moment(datetime(1, 1, 1)) == datetime(1, 1, 1)  # no zone: not a view's time
    # the edges convert to any offset a session's zone may have (less than a day)
    for hours in (-23, -15, 0, 15, 23):
        zone = timezone(timedelta(hours=hours, minutes=59))
        assert EARLIEST.astimezone(zone) == EARLIEST and LATEST.astimezone(zone) == LATEST
    assert cleaner("timestamp with time zone")(FIRST_MOMENT) == EARLIEST
    assert cleaner("timestamp with time zone[]")([LAST_MOMENT, inside]) == [LATEST, inside]


def item(due: datetime, appeal_id: UUID, deadline: str = "answer") -> SlaItem:
    return SlaItem(
        appeal_id=appeal_id,
        registration_number=None,
        deadline=deadline,
        due=due,
        started_at=due,
        breached=False,
        kind="message",
        channel="pos",
        topic=None,
        department=None,
        sector=None,
        municipality=None,
    )


def b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def test_the_cursors_the_lists_write_are_read_back_even_at_the_edges() -> None:
    appeal_id = uuid4()
    moscow = timezone(timedelta(hours=2, minutes=30, seconds=17))  # Moscow's mean time of old
    for due in (EARLIEST, LATEST, EARLIEST.astimezone(moscow), datetime.now(UTC)):
        for deadline in ("register", "forward", "first_reaction", "answer"):
            sla = _encode_cursor(item(due, appeal_id, deadline))
            assert _decode_cursor(sla) == (due, appeal_id, deadline)
        assert decode_cursor(encode_cursor(due, appeal_id)) == (due, appeal_id)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-01-01T00:00:00+00:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f|a\x00b",
        "2026-01-01T00:00:00+00:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f|answer\x00",
        "2026-01-01T00:00:00+00:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f|answer\n",
        "2026-01-01T00:00:00+00:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f|nonsense",
        "2026-01-01T00:00:00+00:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f|answer|x",
        "2026-01-01T00:00:00+00:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f",
        "2026-01-01T00:00:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f|answer",
        "2026-01-01 00:00:00+00:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f|answer",
        "2026-01-01T00:00:00Z|c0b9eb03-35cc-4ea2-98d6-2651a519c07f|answer",
        "0001-01-01T00:00:00+14:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f|answer",
        "9999-12-31T23:59:00-12:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f|answer",
        "2026-01-01T00:00:00+00:00|C0B9EB03-35CC-4EA2-98D6-2651A519C07F|answer",
        "2026-01-01T00:00:00+00:00|c0b9eb0335cc4ea298d62651a519c07f|answer",
        "2026-01-01T00:00:00+00:00|{c0b9eb03-35cc-4ea2-98d6-2651a519c07f}|answer",
        "2026-01-01T00:00:00+00:00| c0b9eb03-35cc-4ea2-98d6-2651a519c07f|answer",
        "2026-01-01T00:00:00+00:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f|ответ",
    ],
)
def test_an_sla_cursor_the_api_did_not_write_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="not one this API returned") as caught:
        _decode_cursor(b64(raw))
    assert "c0b9eb03" not in str(caught.value)


@pytest.mark.parametrize(
    "cursor",
    [
        b64("2026-01-01T00:00:00+00:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f|answer") + "==",
        b64("2026-01-01T00:00:00+00:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f|answer") + "\x00",
        " " + b64("2026-01-01T00:00:00+00:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f|answer"),
        base64.b64encode(b"2026-01-01T00:00:00+00:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f|ans?")
        .decode()
        .rstrip("="),  # the other alphabet
        "MjAyNi0wMS0wMVQ",
        "ЖЖЖЖ",
        "",
        "A" * 1000,
        base64.urlsafe_b64encode(b"\xff\xfe|x|y").decode(),
    ],
)
def test_a_cursor_that_is_not_our_base64_is_refused(cursor: str) -> None:
    with pytest.raises(ValueError, match="not one this API returned"):
        _decode_cursor(cursor)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-01-01T00:00:00+00:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f\x00",
        "2026-01-01T00:00:00+00:00\x00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f",
        "2026-01-01T00:00:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f",
        "0001-01-01T00:00:00+14:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f",
        "2026-01-01T00:00:00+00:00|c0b9eb03-35cc-4ea2-98d6-2651a519c07f|answer",
        "2026-01-01T00:00:00+00:00|urn:uuid:c0b9eb03-35cc-4ea2-98d6-2651a519c07f",
    ],
)
def test_an_appeal_list_cursor_the_api_did_not_write_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="not one this API returned"):
        decode_cursor(b64(raw))
