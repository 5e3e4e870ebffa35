"""What an import tells: the summary, and the error report (CSV: file, row, column, rule)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from infra.intake.importer import Summary
from infra.intake.profile import Profile
from infra.intake.reading import Export, FileRefused

REPORT_COLUMNS = ("file", "row", "column", "rule")


def require_columns(profile: Profile, export: Export) -> None:
    """A CSV's or a sheet's header must name the columns every row needs (a JSON Lines file's
    rows name their own)."""
    if not export.columns:
        return
    c = profile.columns
    missing = [
        name for name in (c.external_id, c.received_at, c.text) if name not in export.columns
    ]
    if missing:
        raise FileRefused(f"the file has no column {', '.join(missing)} (profile {profile.name})")


def errors_csv(summary: Summary) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    for e in summary.errors:
        writer.writerow((e.file, e.row, e.column, e.rule))
    return out.getvalue()


def write_errors(summary: Summary, path: Path) -> None:
    path.write_text(errors_csv(summary), encoding="utf-8")


def default_errors_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}.errors.csv")


def summary_dict(summary: Summary) -> dict[str, Any]:
    return {
        "file": summary.file,
        "profile": summary.profile,
        "dry_run": summary.dry_run,
        "rows": summary.rows,
        "received": summary.received,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "failed": summary.failed,
        "events": summary.events,
        "seconds": round(summary.seconds, 3),
        "rows_per_second": round(summary.rows_per_second, 1),
        "events_per_second": round(summary.events_per_second, 1),
    }
