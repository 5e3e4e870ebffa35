"""A report ``Table`` as JSON, CSV or XLSX (openpyxl), its stamp carried in each: the JSON's
``stamp``, the CSV's first lines, the workbook's first rows and document properties."""

from __future__ import annotations

import csv
import io
from typing import Any

import msgspec
from openpyxl import Workbook
from openpyxl.styles import Font

from projections.reports import Table

FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _stamp_lines(table: Table) -> list[str]:
    return [f"{key}: {value}" for key, value in table.stamp.items()]


def render(table: Table, fmt: str) -> bytes:
    if fmt == "json":
        return msgspec.json.encode(table)
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow([table.title])
        for line in _stamp_lines(table):
            writer.writerow([line])
        writer.writerow([c.title for c in table.columns])
        for row in table.rows:
            writer.writerow([_cell(row.get(c.key)) for c in table.columns])
        return ("\ufeff" + text.getvalue()).encode()  # a BOM: Excel opens UTF-8 as such
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "Отчёт"
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=13)
        for line in _stamp_lines(table):
            sheet.append([line])
        sheet.append([c.title for c in table.columns])
        header = sheet.max_row
        for cell in sheet[header]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_cell(row.get(c.key)) for c in table.columns])
        sheet.freeze_panes = f"A{header + 1}"
        book.properties.title = table.title
        book.properties.description = "; ".join(_stamp_lines(table))
        data = io.BytesIO()
        book.save(data)
        return data.getvalue()
    raise ValueError(f"the format is one of {', '.join(FORMATS)}")


def _cell(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
