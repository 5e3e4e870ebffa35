"""Reading a telephony system's calls feed: CSV (a header row) or JSON Lines (one object a line),
one call a row, each checked column by column. A row that breaks a rule becomes a ``RowError``
(row, column, rule: never the value, which may be a phone number); the others become ``Call``.

Columns: ``call_id`` (the telephony system's id), ``time`` (ISO 8601 with a zone), ``caller``
(the number; empty when hidden), ``duration_seconds``, ``summary`` (the operator's), ``recording``
(a file path relative to the feed's folder; optional), ``channel`` (``phone`` or
``voice_message``; default ``phone``)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from domain.appeals.vocabulary import Channel

COLUMNS = ("call_id", "time", "caller", "duration_seconds", "summary", "recording", "channel")
REQUIRED = ("call_id", "time", "summary")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{3,40}$")
_LINE = re.compile(r"^[^\x00-\x1f\x7f]+$")
MAX_SUMMARY = 20_000
MAX_DURATION = 86_400


class RowError(msgspec.Struct, frozen=True, kw_only=True):
    row: int  # the line of the file (a CSV's header is line 1)
    column: str
    rule: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.rule}"


class Call(msgspec.Struct, frozen=True, kw_only=True):
    row: int
    call_id: str
    time: datetime
    caller: str | None
    duration_seconds: int
    summary: str
    recording: Path | None
    channel: Channel


class Refused(Exception):
    def __init__(self, column: str, rule: str) -> None:
        super().__init__(rule)
        self.column = column
        self.rule = rule


def rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(line, fields) of each row; fields None: a line that is not a JSON object."""
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        with path.open("rb") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    fields = msgspec.json.decode(line)
                except msgspec.DecodeError:
                    fields = None
                yield number, fields if isinstance(fields, dict) else None
        return
    with path.open(newline="", encoding="utf-8-sig") as text:
        for number, fields in enumerate(csv.DictReader(text), start=2):
            yield number, {k: v for k, v in fields.items() if k is not None}


def _text(fields: dict[str, Any], column: str) -> str:
    value = fields.get(column)
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise Refused(column, "must be a text")
    return str(value).strip()


def _time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Refused("time", "must be an ISO 8601 date and time") from None
    if moment.utcoffset() is None:
        raise Refused("time", "must name its time zone (e.g. +03:00 or Z)")
    return moment


def _duration(text: str) -> int:
    if not text.isdigit() or int(text) > MAX_DURATION:
        raise Refused("duration_seconds", f"must be a whole number of seconds, 0–{MAX_DURATION}")
    return int(text)


def _recording(text: str, folder: Path) -> Path | None:
    if not text:
        return None
    relative = Path(text)
    if relative.is_absolute() or ".." in relative.parts:
        raise Refused("recording", "must be a path inside the feed's folder")
    found = folder / relative
    if not found.is_file():
        raise Refused("recording", "names no file beside the feed")
    return found


def call(number: int, fields: dict[str, Any], folder: Path) -> Call:
    """The row as a call (``Refused`` at its first broken rule)."""
    values = {column: _text(fields, column) for column in COLUMNS}
    for column in REQUIRED:
        if not values[column]:
            raise Refused(column, "is required")
    if len(values["call_id"]) > 200 or not _LINE.match(values["call_id"]):
        raise Refused("call_id", "must be one line of at most 200 characters")
    caller = values["caller"] or None
    if caller is not None and not _PHONE.match(caller):
        raise Refused("caller", "must be a phone number (digits, +, spaces, brackets, hyphens)")
    if len(values["summary"]) > MAX_SUMMARY or "\x00" in values["summary"]:
        raise Refused("summary", f"must be a text of at most {MAX_SUMMARY} characters")
    channel = values["channel"] or Channel.PHONE.value
    if channel not in (Channel.PHONE.value, Channel.VOICE_MESSAGE.value):
        raise Refused("channel", "must be phone or voice_message")
    return Call(
        row=number,
        call_id=values["call_id"],
        time=_time(values["time"]),
        caller=caller,
        duration_seconds=_duration(values["duration_seconds"] or "0"),
        summary=values["summary"],
        recording=_recording(values["recording"], folder),
        channel=Channel(channel),
    )


def read(path: Path) -> Iterator[Call | RowError]:
    """Each row of the feed at ``path``, as a call or the rule it breaks."""
    for number, fields in rows(path):
        if fields is None:
            yield RowError(row=number, column="*", rule="the line is not a JSON object")
            continue
        try:
            yield call(number, fields, path.parent)
        except Refused as refused:
            yield RowError(row=number, column=refused.column, rule=refused.rule)
