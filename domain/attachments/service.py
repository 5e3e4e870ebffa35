"""Adding files to appeals and reading them back, through the one command handler: the bytes go
to the attachment store, the fact to the appeal's stream (``AttachmentAdded``).

An upload is checked before a byte is kept (the appeal exists, the actor may add to it, its
state allows it: decided on a probe, nothing saved), staged while it streams, put under its
content's address, then recorded; when the record is refused after all, the content it added is
taken away again, so a refused upload leaves nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from uuid import UUID

import msgspec

from domain.appeals import commands as cmd
from domain.appeals.application import AppealsApplication, CommandResult
from domain.appeals.events import AttachmentAdded
from domain.attachments.media import AttachmentKind
from domain.attachments.store import AttachmentStore, Blob, Staging
from domain.shared.actors import Actor, Role
from domain.shared.errors import NotFound
from domain.shared.handler import Decision, IdempotencyClaim

_PROBE = "0" * 64  # the address a probe names: no content has it


class Attachment(msgspec.Struct, frozen=True, kw_only=True):
    """One file of an appeal as recorded: what it is, who added it, when."""

    sha256: str
    size: int
    media_type: str
    kind: AttachmentKind
    added_by: str  # the actor's name (staff or an intake process, never a citizen)
    added_by_role: Role
    added_at: datetime  # business time
    recorded_at: datetime
    version: int  # the appeal's version that recorded it


class Added(msgspec.Struct, frozen=True, kw_only=True):
    attachment: Attachment
    result: CommandResult
    new: bool  # False: the appeal had this content already (nothing appended)


def _attachment(event: AttachmentAdded) -> Attachment:
    return Attachment(
        sha256=event.sha256,
        size=event.size,
        media_type=event.media_type,
        kind=event.kind,
        added_by=event.actor.name,
        added_by_role=event.actor.role,
        added_at=event.occurred_at,
        recorded_at=event.timestamp,
        version=event.originator_version,
    )


class AttachmentService:
    def __init__(self, appeals: AppealsApplication, store: AttachmentStore) -> None:
        self.appeals = appeals
        self.store = store

    @property
    def max_bytes(self) -> int:
        return self.store.max_bytes

    def check(self, appeal_id: UUID, kind: AttachmentKind, actor: Actor) -> None:
        """Refuse, before any byte is kept, what the decision would refuse: no such appeal,
        a role or department that may not add to it, a state that allows no file of ``kind``."""
        appeals = self.appeals
        loaded = appeals.handler.load(appeals.decider, appeal_id)
        if loaded.state is None:
            raise NotFound("there is no such appeal")
        probe = cmd.AddAttachment(sha256=_PROBE, size=1, media_type="application/pdf", kind=kind)
        decider = appeals.decider
        assert decider.authorise is not None
        decider.authorise(loaded.state, probe, actor)
        now = appeals.clock()
        decision = Decision(stream_id=appeal_id, version=loaded.version, actor=actor, now=now)
        decider.decide(loaded.state, probe, decision)  # pure: nothing is saved

    def stage(self) -> Staging:
        return self.store.stage()

    def record(
        self,
        appeal_id: UUID,
        staging: Staging,
        blob: Blob,
        kind: AttachmentKind,
        *,
        actor: Actor,
        idempotency: IdempotencyClaim | None = None,
        occurred_at: datetime | None = None,
    ) -> Added:
        """Put a finished upload under its address and record it on the appeal."""
        created = self.store.commit(staging, appeal_id)
        command = cmd.AddAttachment(
            sha256=blob.sha256,
            size=blob.size,
            media_type=blob.media_type,
            kind=kind,
            occurred_at=occurred_at,
        )
        try:
            result = self.appeals.handle(appeal_id, command, actor=actor, idempotency=idempotency)
        except BaseException:
            if created:  # refused after all: the content it brought goes again
                self.store.remove(blob.sha256, appeal_id)
            raise
        position, event = next(
            (r.position, r.event)
            for r in self.appeals.history(appeal_id)
            if isinstance(r.event, AttachmentAdded) and r.event.sha256 == blob.sha256
        )
        assert isinstance(event, AttachmentAdded)
        new = not result.replayed and position == result.position
        return Added(attachment=_attachment(event), result=result, new=new)

    def add(
        self,
        appeal_id: UUID,
        chunks: Iterable[bytes],
        kind: AttachmentKind,
        *,
        actor: Actor,
        idempotency: IdempotencyClaim | None = None,
        occurred_at: datetime | None = None,
    ) -> Added:
        """Check, stage, store and record a file read from ``chunks`` (imports, the CLI)."""
        self.check(appeal_id, kind, actor)
        staging = self.store.stage()
        try:
            for chunk in chunks:
                staging.write(chunk)
            blob = staging.finish()
        except BaseException:
            staging.discard()
            raise
        return self.record(
            appeal_id,
            staging,
            blob,
            kind,
            actor=actor,
            idempotency=idempotency,
            occurred_at=occurred_at,
        )

    def list(self, appeal_id: UUID) -> list[Attachment]:
        """The appeal's files in the order added (NotFound: no such appeal)."""
        return [
            _attachment(r.event)
            for r in self.appeals.history(appeal_id)
            if isinstance(r.event, AttachmentAdded)
        ]

    def find(self, appeal_id: UUID, sha256: str) -> Attachment | None:
        return next((a for a in self.list(appeal_id) if a.sha256 == sha256), None)

    def read(self, sha256: str, appeal_id: UUID | None = None) -> Iterator[bytes]:
        """The file's bytes (``appeal_id``: the appeal whose encrypted copy to open)."""
        return self.store.read(sha256, appeal_id)
