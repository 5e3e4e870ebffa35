"""Backups that cannot bring erased data back: ``pg_dump`` out, ``pg_restore`` in, then every
erasure known outside the restored database (the journal in the data dir, and the erasures of
the database being replaced when it is reachable) is carried out again on the restored key
store: keys deleted, erasure rows written (docs/backup.md)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg

from infra.database import ConnectionInfo
from infra.privacy.erasure import apply_entry, recorded_erasures
from infra.privacy.journal import Journal, JournalEntry


def pg_tool(name: str) -> str:
    """The PostgreSQL client program ``name``: the one shipped with the embedded server (16:
    it reads a 15 or 16 server alike) when present, else the system's."""
    with contextlib.suppress(ImportError):  # no embedded server installed: the system's
        import pgserver

        bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / name
        if bundled.is_file():
            return str(bundled)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed")
    return found


def _env(info: ConnectionInfo) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if info.password:
        env["PGPASSWORD"] = info.password
    return env


def _target(info: ConnectionInfo) -> list[str]:
    return ["-h", info.host, "-p", str(info.port), "-U", info.user]


def create_backup(info: ConnectionInfo, target: Path) -> None:
    """The whole database in ``pg_dump``'s custom format (keys included, wrapped: useless
    without the master key, which is never in the database)."""
    _pg_dump(info, target, "-Fc")


def dump_sql(info: ConnectionInfo, target: Path) -> None:
    """The whole database as plain SQL (what a person greps)."""
    _pg_dump(info, target)


def _pg_dump(info: ConnectionInfo, target: Path, *options: str) -> None:
    subprocess.run(  # noqa: S603 (PostgreSQL's own programs, arguments from settings)
        [
            pg_tool("pg_dump"),
            *options,
            "--no-owner",
            "-f",
            str(target),
            *_target(info),
            info.dbname,
        ],
        check=True,
        env=_env(info),
        capture_output=True,
    )


def erasures_of(info: ConnectionInfo) -> list[JournalEntry]:
    """The erasures a database has recorded, as journal entries (the one being replaced)."""
    with psycopg.connect(info.conninfo, connect_timeout=5) as conn:
        return recorded_erasures(conn)


@dataclass(frozen=True)
class Restored:
    replayed: list[JournalEntry]  # erasures the backup did not hold, carried out again
    keys_deleted: int


def restore_backup(
    info: ConnectionInfo,
    source: Path,
    journal: Journal,
    replaced: list[JournalEntry] | None = None,
) -> Restored:
    """Restore ``source`` into ``info``'s database (objects it holds are replaced), then replay
    every erasure of the journal and of ``replaced`` that the restored database lacks."""
    subprocess.run(  # noqa: S603 (PostgreSQL's own programs, arguments from settings)
        [
            pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--exit-on-error",
            "-d",
            info.dbname,
            *_target(info),
            str(source),
        ],
        check=True,
        env=_env(info),
        capture_output=True,
    )
    return replay(info, [*journal.entries(), *(replaced or [])])


def replay(info: ConnectionInfo, entries: list[JournalEntry]) -> Restored:
    """Carry out again the erasures among ``entries`` the database has not recorded."""
    replayed: list[JournalEntry] = []
    deleted = 0
    with psycopg.connect(info.conninfo) as conn:
        known = {r[0] for r in conn.execute("SELECT erasure_id FROM privacy_erasures")}
        for entry in entries:
            if entry.erasure_id in known:
                continue
            known.add(entry.erasure_id)
            with conn.transaction():
                deleted += apply_entry(conn, entry)
            replayed.append(entry)
    return Restored(replayed=replayed, keys_deleted=deleted)
