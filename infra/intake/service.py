"""The API's importer (``api.services.Importer``): an uploaded export, saved to a temporary file
by the route, imported through a profile as ``otklik import`` does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import structlog

from api.schemas.imports import ImportReport, ImportRowError
from api.services import Importer as ImporterService
from api.services import ImportRefused
from domain.appeals.application import AppealsApplication
from infra.intake.importer import Importer
from infra.intake.profile import PROFILES, ProfileError, load_profile
from infra.intake.reading import FileRefused, read_export
from infra.intake.report import require_columns

log = structlog.get_logger(__name__)

# what an upload's Content-Type says it is -> the format the importer reads
MEDIA_FORMATS = {
    "text/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/x-ndjson": "jsonl",
}


class IntakeImporter(ImporterService):
    def __init__(
        self, appeals: AppealsApplication, now: Callable[[], datetime], max_bytes: int
    ) -> None:
        self.appeals = appeals
        self.now = now
        self.max_bytes = max_bytes
        self.formats = MEDIA_FORMATS

    def run(self, path: Path, fmt: str, profile: str, *, dry_run: bool) -> ImportReport:
        shipped = sorted(p.stem for p in PROFILES.glob("*.toml"))
        if profile not in shipped:  # a shipped profile's name: never a path on the server
            raise ImportRefused(f"`profile` is not a shipped profile: {', '.join(shipped)}")
        try:
            chosen = load_profile(profile)
            export = read_export(path.read_bytes(), fmt)
            require_columns(chosen, export)
        except (ProfileError, FileRefused) as refused:
            raise ImportRefused(str(refused)) from None
        name = f"upload.{fmt}"
        summary = Importer(self.appeals, chosen, now=self.now(), dry_run=dry_run).run(export, name)
        return ImportReport(
            file=name,
            profile=summary.profile,
            dry_run=summary.dry_run,
            rows=summary.rows,
            received=summary.received,
            updated=summary.updated,
            unchanged=summary.unchanged,
            failed=summary.failed,
            events=summary.events,
            seconds=round(summary.seconds, 3),
            errors=[
                ImportRowError(file=e.file, row=e.row, column=e.column, rule=e.rule)
                for e in summary.errors
            ],
        )
