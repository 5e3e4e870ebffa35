"""Writing a directory as the files an administrator keeps (TOML, a CSV folder, an XLSX
workbook), so tests can prove the formats read alike and build files with changed or bad rows."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import msgspec

from domain.organisation.sync import DesiredDirectory
from infra.organisation.cells import COLUMNS

Rows = dict[str, list[dict[str, Any]]]  # table → rows of cells by column


def rows_of(directory: DesiredDirectory) -> Rows:
    tables: Rows = {}
    for table in COLUMNS:
        items = getattr(directory, table)
        if items is not None:
            tables[table] = [
                {k: v for k, v in msgspec.structs.asdict(item).items() if v not in (None, ())}
                for item in items
            ]
    return tables


def _toml_value(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def write_toml(tables: Rows, path: Path) -> Path:
    lines = []
    for table, rows in tables.items():
        lines.append(f"{table} = [")
        for row in rows:
            cells = ", ".join(f"{k} = {_toml_value(v)}" for k, v in row.items())
            lines.append(f"  {{ {cells} }},")
        lines.append("]")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(value)
    return value


def write_csv(tables: Rows, folder: Path, *, delimiter: str = ",") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in tables.items():
        header = list(dict.fromkeys(k for row in rows for k in row)) or list(COLUMNS[table])
        with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, delimiter=delimiter)
            writer.writerow(header)
            for row in rows:
                writer.writerow([_cell(row.get(h, "")) for h in header])
    return folder


def write_xlsx(tables: Rows, path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for table, rows in tables.items():
        sheet = book.create_sheet(table)
        header = list(dict.fromkeys(k for row in rows for k in row)) or list(COLUMNS[table])
        sheet.append(header)
        for row in rows:
            sheet.append([_cell(row.get(h)) for h in header])
    book.save(path)
    return path
