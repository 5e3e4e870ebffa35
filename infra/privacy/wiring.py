"""The keyring built for a process from settings, installed into the event store's mapper."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from eventsourcing.application import Application

from infra.attachments import FolderStore
from infra.calendar_clock import utc_now
from infra.database import ConnectionInfo
from infra.db_bounds import Limits, open_bounded_pool
from infra.event_codec import MsgspecMapper
from infra.privacy.erasure import ErasureService
from infra.privacy.journal import Journal
from infra.privacy.keyring import Keyring
from infra.privacy.master import master_key
from infra.settings import Settings


def erasure_journal(settings: Settings) -> Path:
    """Where erasures are journalled outside the database (docs/backup.md)."""
    return settings.data_dir / "erasures.journal"


def build_erasure(
    settings: Settings, keyring: Keyring, store: Application[UUID], files: FolderStore
) -> ErasureService:
    """Erasure with its journal; an erased appeal's files go with its keys."""
    return ErasureService(
        keyring,
        store,
        utc_now,
        Journal(erasure_journal(settings)),
        settings.timezone,
        on_erased=lambda appeals: [files.erase(a) for a in appeals],
    )


def build_keyring(settings: Settings, info: ConnectionInfo, limits: Limits) -> Keyring:
    """A keyring on a small pool of its own (a key is made in its own transaction, before the
    events that use it are saved: an orphan key is harmless, a missing one is not)."""
    master = master_key(settings.master_key, settings.master_key_file, settings.data_dir)
    # autocommit: a key is one statement, committed as it runs (an erasure opens a transaction)
    pool = open_bounded_pool(
        info.conninfo, 2, limits, name="otklik-keyring", kwargs={"autocommit": True}
    )
    return Keyring(pool, master)


def install(store: Application[UUID], keyring: Keyring | None) -> None:
    mapper = store.mapper
    if not isinstance(mapper, MsgspecMapper):
        raise TypeError("the event store's mapper is not the project's codec")
    mapper.keyring = keyring
