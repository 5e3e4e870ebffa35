"""`otklik privacy …` (erase a subject's or an appeal's personal data, find an appeal's subject,
rotate the master key) and `otklik backup …` (create, restore with the erasures replayed)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from uuid import UUID

import psycopg
import typer

from domain.privacy.erasure import ErasureGround
from domain.shared.actors import Actor, Role
from infra import database
from infra.cli.support import container_session, database_session
from infra.container import Container
from infra.privacy.backup import create_backup, erasures_of, restore_backup
from infra.privacy.erasure import ErasureService
from infra.privacy.journal import Journal, JournalEntry
from infra.privacy.master import master_key, read_key_file
from infra.privacy.rotation import rotate
from infra.privacy.wiring import erasure_journal

privacy_app = typer.Typer(help="Personal data: erasure, keys.", no_args_is_help=True)
backup_app = typer.Typer(help="Backups that keep erased data erased.", no_args_is_help=True)
RESTORER = Actor(id="cli-backup-restore", role=Role.SYSTEM, name="Восстановление резервной копии")


def _security_admin(by: str) -> Actor:
    return Actor(id=f"cli:{by}", role=Role.SECURITY_ADMIN, name=by)


@privacy_app.command("erase")
def privacy_erase(
    ground: Annotated[ErasureGround, typer.Option(help="The lawful ground.")],
    by: Annotated[str, typer.Option(help="Who orders it (the security administrator).")],
    appeal: Annotated[UUID | None, typer.Option(help="One appeal's data.")] = None,
    subject: Annotated[UUID | None, typer.Option(help="A subject's, every appeal.")] = None,
) -> None:
    """Destroy the data keys of an appeal or of a data subject, and record the erasure."""
    if (appeal is None) == (subject is None):
        raise typer.BadParameter("give --appeal or --subject")
    with container_session() as container:
        service = _service(container)
        event = service.erase(
            ground=ground, actor=_security_admin(by), appeal_id=appeal, subject_id=subject
        )
        typer.echo(
            f"erased: subject {event.subject_id}, {len(event.appeal_ids)} appeal(s),"
            f" {event.keys} key(s), erasure {event.erasure_id}"
        )


@privacy_app.command("subject")
def privacy_subject(appeal: UUID) -> None:
    """The data subject an appeal's personal data belongs to."""
    with container_session() as container:
        typer.echo(str(_service(container).subject_of(appeal)))


@privacy_app.command("rotate-master-key")
def privacy_rotate(
    new_key_file: Annotated[Path, typer.Option(help="The new master key (base64, 32 bytes).")],
) -> None:
    """Re-wrap every data key with a new master key; then point OTKLIK_MASTER_KEY_FILE at it
    and restart every process (docs/personal-data.md)."""
    with database_session() as (settings, info):
        old = master_key(settings.master_key, settings.master_key_file, settings.data_dir)
        new = read_key_file(new_key_file, "--new-key-file")
        with psycopg.connect(info.conninfo) as conn:
            count = rotate(conn, old, new)
        typer.echo(f"re-wrapped {count} key(s): master key {old.version} → {new.version}")


@backup_app.command("create")
def backup_create(file: Path) -> None:
    """Write the whole database to FILE (pg_dump's custom format)."""
    with database_session() as (_settings, info):
        create_backup(info, file)
        typer.echo(f"backup written: {file}")


@backup_app.command("restore")
def backup_restore(file: Path) -> None:
    """Restore FILE over the database, then erase again whatever was erased since it was
    taken (the journal in the data dir and the replaced database's erasures)."""
    with database_session() as (settings, info):
        replaced: list[JournalEntry] = []
        try:
            replaced = erasures_of(info)
        except psycopg.Error:
            typer.echo("the database being replaced is unreachable: the journal alone is used")
        restored = restore_backup(info, file, Journal(erasure_journal(settings)), replaced)
        database.upgrade(info)
        container = Container.build(settings, info)
        try:
            for entry in restored.replayed:
                _service(container).record_again(entry, RESTORER)
            container.engine.catch_up_all()
        finally:
            container.close()
        typer.echo(
            f"restored {file}: {len(restored.replayed)} erasure(s) replayed,"
            f" {restored.keys_deleted} key(s) destroyed again"
        )


def _service(container: Container) -> ErasureService:
    assert container.privacy is not None
    return container.privacy
