"""Reading an export: CSV (UTF-8 or Windows-1251, comma or semicolon), XLSX (read-only) and JSON
Lines, each as numbered rows of named cells (the number is the file's: a CSV's or a sheet's line,
the header being line 1; a JSON Lines file's line)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import msgspec

Cell = str | int | float | bool | datetime | date | None
Row = dict[str, Cell]

FORMATS = ("csv", "xlsx", "jsonl")


class FileRefused(ValueError):
    """A file that cannot be read at all (its rows are not reached): the message names the rule,
    never a value of the file."""


@dataclass(frozen=True)
class Export:
    """A file's rows, with how many there are (for the progress bar's ETA)."""

    columns: tuple[str, ...]
    total: int
    rows: Iterator[tuple[int, Row]]


def format_of(name: str) -> str:
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix in ("csv", "xlsx"):
        return suffix
    raise FileRefused("the file must be .csv, .xlsx or .jsonl")


def read_export(data: bytes, fmt: str) -> Export:
    if fmt == "csv":
        return _csv(data)
    if fmt == "xlsx":
        return _xlsx(data)
    if fmt == "jsonl":
        return _jsonl(data)
    raise FileRefused("the file must be .csv, .xlsx or .jsonl")


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")  # every byte decodes: a wrong guess shows as unknown columns


def _csv(data: bytes) -> Export:
    text = _decoded(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise FileRefused("the CSV file cannot be parsed") from None
    if not records:
        raise FileRefused("the file is empty")
    header = tuple(h.strip() for h in records[0])

    def rows() -> Iterator[tuple[int, Row]]:
        for number, record in enumerate(records[1:], start=2):
            if not any(cell.strip() for cell in record):
                continue
            yield number, dict(zip(header, record, strict=False))

    return Export(columns=header, total=len(records) - 1, rows=rows())


def _xlsx(data: bytes) -> Export:
    from openpyxl import load_workbook  # only an XLSX import pays for it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise FileRefused("the XLSX file cannot be opened") from None
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = tuple(str(h).strip() if h is not None else "" for h in next(lines, ()))
    if not header:
        raise FileRefused("the file is empty")

    def rows() -> Iterator[tuple[int, Row]]:
        for number, values in enumerate(lines, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            yield number, {h: _cell(v) for h, v in zip(header, values, strict=False)}
        book.close()

    return Export(columns=header, total=max((sheet.max_row or 1) - 1, 0), rows=rows())


_OBJECT = msgspec.json.Decoder(dict[str, str | int | float | bool | None])


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | datetime | date):
        return value
    return str(value)  # a rich text, a formula: its text


def _jsonl(data: bytes) -> Export:
    lines = _decoded(data).splitlines()
    columns: dict[str, None] = {}
    parsed: list[tuple[int, Row | None]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row: Row | None = dict(_OBJECT.decode(line))
        except msgspec.DecodeError:
            row = None  # reported as the row's error, the others go on
        if row is not None:
            columns.update(dict.fromkeys(row))
        parsed.append((number, row))

    def rows() -> Iterator[tuple[int, Row]]:
        for number, row in parsed:
            yield number, row if row is not None else {NOT_AN_OBJECT: None}

    return Export(columns=tuple(columns), total=len(parsed), rows=rows())


# The marker of a JSON Lines line that is not a JSON object of scalars (its row's error).
NOT_AN_OBJECT = "\x00not-an-object"
