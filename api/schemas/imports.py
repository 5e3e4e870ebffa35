"""A bulk import as the API answers it: the summary, and each refused row named by its file, row,
column and rule (never the cell's value: it may be a citizen's personal data)."""

from __future__ import annotations

import msgspec


class ImportRowError(msgspec.Struct, frozen=True, kw_only=True):
    """A row imported not at all: the file's row number (the header is line 1), the column as
    the file names it ("" for the row as a whole) and the rule it breaks."""

    file: str
    row: int
    column: str
    rule: str


class ImportReport(msgspec.Struct, frozen=True, kw_only=True):
    """What one import did: ``received`` appeals new to the log, ``updated`` ones imported before
    that gained facts, ``unchanged`` rows whose facts were all recorded already, ``failed`` rows
    (each in ``errors``), the ``events`` appended (a dry run: that it would append)."""

    file: str
    profile: str
    dry_run: bool
    rows: int
    received: int
    updated: int
    unchanged: int
    failed: int
    events: int
    seconds: float
    errors: list[ImportRowError]
