"""Reading the directory from the files an administrator keeps, in three formats with the same
tables (``units``, ``people``, ``positions``) and the same column names:

- TOML: one file with the arrays of tables ``[[units]]``, ``[[people]]``, ``[[positions]]``
  (a row is the entry's number in its array);
- CSV: a folder with ``units.csv`` and, optionally, ``people.csv`` and ``positions.csv``
  (UTF-8 or Windows-1251, comma or semicolon, the header in the first line);
- XLSX: one workbook with the sheets ``units``, ``people``, ``positions`` (headers in row 1).

A table the file does not have leaves that part of the directory as it is; see docs/organisation.md.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from pathlib import Path
from typing import Any

from domain.organisation.sync import DesiredDirectory
from infra.organisation.cells import COLUMNS
from infra.organisation.rows import FileRefused, Row, RowError, Tables, desired

TABLES = ("units", "people", "positions")


def read_directory(path: Path) -> DesiredDirectory:
    """The directory ``path`` describes (a .toml or .xlsx file, or a folder of CSV files), or
    FileRefused listing every error."""
    if path.is_dir():
        tables = _csv_folder(path)
    elif path.suffix.lower() == ".toml":
        tables = _toml(path)
    elif path.suffix.lower() == ".xlsx":
        tables = _xlsx(path)
    elif path.suffix.lower() == ".csv":
        tables = _csv_folder(path.parent)  # one of the folder's tables names the folder
    else:
        raise FileRefused([RowError(path.name, "-", 1, None, "a .toml, .xlsx or CSV folder")])
    return desired(tables)


def _toml(path: Path) -> Tables:
    tables = Tables(file=path.name)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        line = re.search(r"line (\d+)", str(error))
        tables.error("-", int(line.group(1)) if line else 1, None, "not valid TOML in UTF-8")
        return tables
    for key in data:
        if key not in TABLES:
            tables.error(key, 1, None, f"no such table (tables: {', '.join(TABLES)})")
    for name in TABLES:
        if name not in data:
            continue
        entries = data[name]
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            tables.error(name, 1, None, f"an array of tables: [[{name}]]")
            continue
        rows: list[Row] = [(number, entry) for number, entry in enumerate(entries, start=1)]
        setattr(tables, name, rows)
    return tables


def _decoded(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1251")  # what a Russian Excel saves as «CSV»


def _header(tables: Tables, table: str, cells: Any) -> list[str]:
    """The header's column names, each unknown one reported once (as row 1) and its cells
    left out of the rows."""
    header = [str(h).strip() if h is not None else "" for h in cells]
    known = COLUMNS[table]
    for name in header:
        if name and name not in known:
            tables.error(table, 1, name, f"no such column (columns: {', '.join(known)})")
    return [h if h in known else "" for h in header]


def _csv_rows(tables: Tables, table: str, text: str) -> list[Row]:
    try:
        dialect: Any = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = _header(tables, table, next(reader, []))
    rows: list[Row] = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        padded = cells + [""] * (len(header) - len(cells))
        row = {h: c for h, c in zip(header, padded, strict=False) if h}
        if any(c.strip() for c in cells[len(header) :]):
            tables.error(table, number, None, "more cells than the header has columns")
        rows.append((number, row))
    return rows


def _csv_folder(folder: Path) -> Tables:
    tables = Tables(file=folder.name)
    for name in TABLES:
        path = folder / f"{name}.csv"
        if path.exists():
            setattr(tables, name, _csv_rows(tables, name, _decoded(path)))
    return tables


def _xlsx(path: Path) -> Tables:
    from openpyxl import load_workbook

    tables = Tables(file=path.name)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # any workbook openpyxl cannot read is one error of the file
        tables.error("-", 1, None, "not a readable XLSX workbook")
        return tables
    try:
        for name in book.sheetnames:
            if name not in TABLES:
                tables.error(name, 1, None, f"no such sheet (sheets: {', '.join(TABLES)})")
        for name in TABLES:
            if name in book.sheetnames:
                setattr(tables, name, _sheet_rows(tables, name, book[name]))
    finally:
        book.close()
    return tables


def _sheet_rows(tables: Tables, table: str, sheet: Any) -> list[Row]:
    rows = sheet.iter_rows(values_only=True)
    header = _header(tables, table, next(rows, ()))
    found: list[Row] = []
    for number, cells in enumerate(rows, start=2):
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        row = {h: c for h, c in zip(header, cells, strict=False) if h}
        found.append((number, row))
    return found
