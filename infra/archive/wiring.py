"""The archive's exporter built from the composition root: the log's mapper (the event codec),
the attachment store's reader, printable letters, the PDF's font, the ledger and the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from uuid import UUID

from domain.audit.chain import Checkpoint, SignedCheckpoint
from domain.outbox.state import Message
from domain.shared.actors import Actor, Role
from infra.archive.collect import Case
from infra.archive.export import Archiver
from infra.archive.format import CaseAttachment
from infra.archive.pdf import render
from infra.container import Container
from infra.outbound.letters import letter_docx

ARCHIVIST = Actor(id="cli-archive", role=Role.HEAD, name="Руководитель МЦУ (выгрузка в архив)")


def archiver(container: Container, fonts: tuple[Path, Path]) -> Archiver:
    settings = container.settings
    municipality = container.outbox.renderer.municipality

    def letter(message: Message) -> bytes:
        return letter_docx(message, municipality, settings.timezone)

    def pdf(case: Case, files: list[CaseAttachment], at: datetime) -> bytes:
        return render(case, files, settings.timezone, fonts, at)

    def read(sha256: str, appeal_id: UUID) -> Iterator[bytes]:
        # files are kept sealed per appeal: ``appeal_id`` names whose copy (and key) to open
        return container.attachments.read(sha256, appeal_id)

    def head() -> Checkpoint:
        now = container.audit_ledger.head()
        return Checkpoint(position=now.position, events=now.events, link=now.link)

    def record(signed: SignedCheckpoint) -> int:
        return container.audit.checkpoint_signed(signed, actor=ARCHIVIST)

    return Archiver(
        conninfo=container.info.conninfo,
        mapper=container.appeals.mapper,
        read=read,
        letter=letter,
        pdf=pdf,
        ledger_head=head,
        record_signed=record,
    )
