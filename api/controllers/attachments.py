"""An appeal's files: upload (the body is the file's bytes, streamed), list, download.

The upload's body is the raw file, not multipart: Litestar reads a multipart form whole before
the handler runs, while a raw body streams chunk by chunk into the store's staging file, hashed
and limited as it comes (the type the client claims in Content-Type is not used: the bytes tell
it). Downloads are personal data: only the roles that may read it, each reading recorded first."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import anyio.to_thread
import structlog
from litestar import Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.exceptions import InternalServerException
from litestar.params import Parameter
from litestar.response import Stream

from api.auth import actor_of, require_department, roles
from api.controllers.params import POSITION_HEADER, IdempotencyKey
from api.errors import ApiProblem
from api.request_guard import STREAMED_BODY
from api.schemas.attachments import Attachment, AttachmentList
from api.schemas.common import etag, mirror
from domain.appeals import commands as cmd
from domain.appeals.application import IdempotencyClaim
from domain.appeals.decide import PERMISSIONS
from domain.attachments.media import AttachmentKind, download_name
from domain.attachments.service import Added, AttachmentService
from domain.attachments.store import (
    SHA256,
    AttachmentTooLarge,
    AttachmentTypeRefused,
    Blob,
    Staging,
)
from domain.audit.access import AuditTrail
from domain.shared.actors import PERSONAL_DATA_READERS, STAFF_READERS, Actor, Role

log = structlog.get_logger("otklik.api")
PATH = "/api/v1/appeals/{appeal_id:uuid}/attachments"
_BATCH = 256 * 1024  # bytes gathered before one write in a worker thread
Kind = Annotated[
    AttachmentKind,
    Parameter(query="kind", description="What the file is: photo, scan, recording or answer."),
]


class Download(Stream):
    """A file's bytes as the type told from them (Litestar's ``Stream`` takes the route's media
    type over its own; the route documents ``application/octet-stream``)."""

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["media_type"] = self.media_type
        return super().to_asgi_response(*args, **kwargs)


def _too_large(limit: int) -> ApiProblem:
    return ApiProblem(
        413, "attachment-too-large", "The file is too large", f"a file may hold {limit} bytes"
    )


def _refused_type(error: AttachmentTypeRefused) -> ApiProblem:
    return ApiProblem(415, error.code, "Unsupported media type", error.message)


def _claim(
    actor: Actor, key: str | None, appeal_id: UUID, blob: Blob, kind: str
) -> IdempotencyClaim | None:
    if key is None:
        return None
    fingerprint = f"{appeal_id}/attachments/{blob.sha256}/{kind}"
    return IdempotencyClaim(principal=actor.id, key=key, fingerprint=fingerprint)


async def _stream_into(request: Request[Any, Any, Any], staging: Staging, limit: int) -> Blob:
    """The body into ``staging``, in batches written off the event loop; what it turned out to
    be (413 past ``limit``, 415 for a type not allowed)."""
    pending = bytearray()
    try:
        async for chunk in request.stream():
            pending += chunk
            if len(pending) >= _BATCH or not chunk:
                await anyio.to_thread.run_sync(staging.write, bytes(pending))
                pending.clear()
        if pending:
            await anyio.to_thread.run_sync(staging.write, bytes(pending))
        return await anyio.to_thread.run_sync(staging.finish)
    except AttachmentTooLarge:
        raise _too_large(limit) from None
    except AttachmentTypeRefused as error:
        raise _refused_type(error) from None
    except InternalServerException:  # the client went away mid-body
        raise ApiProblem(
            400, "invalid-body", "The body was cut short", "the file did not arrive whole"
        ) from None


@post(
    PATH,
    status_code=201,
    tags=["attachments"],
    summary="Add a file to the appeal (the body is the file's bytes)",
    guards=[roles(PERMISSIONS[cmd.AddAttachment], "add attachments")],
    request_max_body_size=None,  # the attachment store's limit, checked as the bytes stream
    opt={STREAMED_BODY: True},
)
async def add_attachment(
    request: Request[Any, Any, Any],
    appeal_id: UUID,
    kind: Kind,
    attachments: AttachmentService,
    idempotency_key: IdempotencyKey = None,
) -> Response[Attachment]:
    """The body is the file itself (any Content-Type: the type is told from the bytes; JPEG,
    PNG, WebP, HEIC, TIFF, PDF, Ogg, MP3, WAV, DOCX), at most the configured size (413 past it,
    415 for another type). The same content added again to the appeal records nothing (200 with
    the first record); a new one answers 201. The name the file came with is not kept."""
    actor = actor_of(request)
    limit = attachments.max_bytes
    announced = request.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > limit:
        raise _too_large(limit)
    await sync_to_thread(attachments.check, appeal_id, kind, actor)
    staging = await sync_to_thread(attachments.stage)
    try:
        blob = await _stream_into(request, staging, limit)
        claim = _claim(actor, idempotency_key, appeal_id, blob, kind)
        added = await sync_to_thread(
            lambda: attachments.record(
                appeal_id, staging, blob, kind, actor=actor, idempotency=claim
            )
        )
    finally:
        await sync_to_thread(staging.discard)
    return _added(appeal_id, added)


def _added(appeal_id: UUID, added: Added) -> Response[Attachment]:
    state = added.result.state
    headers = {
        "ETag": etag(state.version),
        POSITION_HEADER: str(added.result.position),
        "Location": f"/api/v1/appeals/{appeal_id}/attachments/{added.attachment.sha256}",
    }
    if added.result.replayed:
        headers["Idempotent-Replayed"] = "true"
    log.info(
        "attachment.added",
        appeal_id=str(appeal_id),
        sha256=added.attachment.sha256,
        size=added.attachment.size,
        media_type=added.attachment.media_type,
        new=added.new,
    )
    body = mirror(added.attachment, Attachment)
    return Response(body, status_code=201 if added.new else 200, headers=headers)


@get(
    PATH,
    sync_to_thread=True,
    tags=["attachments"],
    guards=[roles(STAFF_READERS, "read appeals")],
)
def list_attachments(
    request: Request[Any, Any, Any], appeal_id: UUID, attachments: AttachmentService
) -> AttachmentList:
    """The appeal's files in the order added: address, size, type, kind, who added each, when
    (no content, no file names: the list is not personal data)."""
    actor = actor_of(request)
    if actor.role is Role.EXECUTOR:
        require_department(actor, attachments.appeals.state(appeal_id).department)
    found = attachments.list(appeal_id)
    return AttachmentList(appeal_id=appeal_id, items=mirror(found, list[Attachment]))


@get(
    f"{PATH}/{{sha256:str}}",
    sync_to_thread=True,
    tags=["attachments"],
    guards=[roles(PERSONAL_DATA_READERS, "read citizens' personal data")],
    media_type="application/octet-stream",
)
def get_attachment(
    request: Request[Any, Any, Any],
    appeal_id: UUID,
    sha256: str,
    attachments: AttachmentService,
    audit_trail: AuditTrail,
) -> Download:
    """The file's bytes, as the type told from them, to download (never shown inline): personal
    data (152-ФЗ), for the roles that answer; each reading is recorded before it is served."""
    actor = actor_of(request)
    if not SHA256.fullmatch(sha256):
        raise ApiProblem(400, "invalid-path", "Bad path", "the file is named by its SHA-256")
    if actor.role is Role.EXECUTOR:
        require_department(actor, attachments.appeals.state(appeal_id).department)
    found = attachments.find(appeal_id, sha256)
    if found is None:
        raise ApiProblem(404, "not-found", "Not found", "the appeal has no such file")
    chunks = attachments.read(
        sha256, appeal_id
    )  # a file gone from the store fails here, before the audit
    # Recorded before it is served: a reading that cannot be recorded is not served.
    route = "GET /api/v1/appeals/{id}/attachments/{sha256}"
    audit_trail.personal_data_read(
        appeal_id, actor=actor, route=route, fields=(f"attachment:{sha256}",)
    )
    log.info("personal_data.read", appeal_id=str(appeal_id), actor_id=actor.id, role=actor.role)
    name = download_name(sha256, found.media_type)
    return Download(
        chunks,
        media_type=found.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Content-Length": str(found.size),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "ETag": f'"{sha256}"',
        },
    )
