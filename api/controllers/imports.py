"""Bulk imports through the API: the body is a channel's export (CSV, XLSX or JSON Lines, by its
Content-Type), streamed to a temporary file up to the configured size, then imported through a
shipped profile as ``otklik import`` does. The answer is the summary and the refused rows (file,
row, column, rule: never a cell's value)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import IO, Annotated, Any

import anyio.to_thread
import structlog
from litestar import Request, post
from litestar.concurrency import sync_to_thread
from litestar.exceptions import InternalServerException
from litestar.params import Parameter

from api.auth import actor_of, roles
from api.errors import ApiProblem
from api.request_guard import STREAMED_BODY
from api.schemas.imports import ImportReport
from api.services import Importer, ImportRefused
from domain.shared.actors import Role

log = structlog.get_logger("otklik.api")
_BATCH = 256 * 1024  # bytes gathered before one write in a worker thread
IMPORTERS = frozenset({Role.CURATOR, Role.HEAD, Role.ADMINISTRATOR})
Profile = Annotated[
    str,
    Parameter(
        query="profile",
        pattern=r"^[a-z0-9][a-z0-9-]{0,63}$",
        description="The shipped mapping profile: pos, incident-management, generic-311.",
    ),
]
DryRun = Annotated[
    bool,
    Parameter(query="dry_run", description="Decide every row, save nothing (no numbers taken)."),
]


def _too_large(limit: int) -> ApiProblem:
    return ApiProblem(
        413, "import-too-large", "The file is too large", f"an import may hold {limit} bytes"
    )


def _format_of(request: Request[Any, Any, Any], importer: Importer) -> str:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    fmt = importer.formats.get(media)
    if fmt is None:
        raise ApiProblem(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            f"the body must be one of: {', '.join(sorted(importer.formats))}",
        )
    return fmt


def _temporary() -> IO[bytes]:
    """A temporary file, removed when closed (the route closes it in ``finally``)."""
    return tempfile.NamedTemporaryFile(mode="w+b", prefix="otklik-import-")


async def _stream_into(request: Request[Any, Any, Any], file: IO[bytes], limit: int) -> None:
    """The body into ``file`` in batches written off the event loop (413 past ``limit``)."""
    pending = bytearray()
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            pending += chunk
            if len(pending) >= _BATCH:
                await anyio.to_thread.run_sync(file.write, bytes(pending))
                pending.clear()
        if pending:
            await anyio.to_thread.run_sync(file.write, bytes(pending))
        await anyio.to_thread.run_sync(file.flush)
    except InternalServerException:  # the client went away mid-body
        raise ApiProblem(
            400, "invalid-body", "The body was cut short", "the file did not arrive whole"
        ) from None


@post(
    "/api/v1/imports",
    status_code=200,
    tags=["imports"],
    summary="Import a channel's export (the body is the file: CSV, XLSX or JSON Lines)",
    guards=[roles(IMPORTERS, "import channel exports")],
    request_max_body_size=None,  # the importer's limit, checked as the bytes stream
    opt={STREAMED_BODY: True},
)
async def import_export(
    request: Request[Any, Any, Any],
    profile: Profile,
    imports: Importer,
    dry_run: DryRun = False,
) -> ImportReport:
    """The body is the export itself, its Content-Type saying which format (`text/csv`,
    `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`,
    `application/x-ndjson`; 415 for another), at most the configured size (413 past it). Each
    row becomes the facts it describes; a row that breaks a rule is imported not at all and
    listed in `errors` (file, row, column, rule). Importing the same file again appends nothing
    (the rows' ids are the idempotency keys of `intake:<source>`)."""
    actor = actor_of(request)
    fmt = _format_of(request, imports)
    limit = imports.max_bytes
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > limit:
        raise _too_large(limit)
    file = await sync_to_thread(_temporary)
    try:
        await _stream_into(request, file, limit)
        report = await sync_to_thread(
            lambda: imports.run(Path(file.name), fmt, profile, dry_run=dry_run)
        )
    except ImportRefused as refused:
        raise ApiProblem(
            422, "import-refused", "The file cannot be imported", str(refused)
        ) from None
    finally:
        await sync_to_thread(file.close)
    log.info(
        "import.uploaded",
        actor=actor.id,
        profile=profile,
        rows=report.rows,
        failed=report.failed,
        events=report.events,
        dry_run=dry_run,
    )
    return report
