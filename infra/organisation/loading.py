"""Loading a directory file: read it, plan the changes against the directory as recorded, check
that the batch decides, and (unless a dry run) append it through the directory book in one batch,
expecting the version the plan was made against (a change made meanwhile conflicts; load again)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import msgspec

from domain.organisation.book import DirectoryBook
from domain.organisation.changes import DIRECTORY, decide
from domain.organisation.commands import Change, ChangeDirectory
from domain.organisation.directory import Directory
from domain.organisation.events import STREAM
from domain.organisation.sync import plan
from domain.shared.actors import Actor, Role
from domain.shared.handler import Decision
from infra.organisation.files import read_directory

MAX_BATCH = 5000  # as ChangeDirectory's changes


def loader(by: str) -> Actor:
    """The administrator who loads the file (003 §4.5), recorded on every event."""
    return Actor(id=f"cli:{by}", role=Role.ADMINISTRATOR, name=by)


@dataclass(frozen=True)
class Loaded:
    changes: list[Change]
    version: int  # the directory's version the plan was made against (and after, when applied)
    applied: bool
    position: int | None = None  # the log position of the batch's last event


def load(
    book: DirectoryBook,
    path: Path,
    *,
    actor: Actor,
    effective: date | None = None,
    dry_run: bool = False,
) -> Loaded:
    """Raises FileRefused (the file's errors), PlanRefused (what no change can do) or the
    domain's InvalidCommand naming the change of the plan that does not decide."""
    want = read_directory(path)
    recorded = book.handler.load(DIRECTORY, STREAM)
    changes = plan(recorded.state or Directory(), want)
    if not changes:
        return Loaded(changes, recorded.version, applied=False)
    if len(changes) > MAX_BATCH:
        raise ValueError(f"{len(changes)} changes: load the file in parts of {MAX_BATCH}")
    command = ChangeDirectory(changes=tuple(changes), effective=effective)
    if dry_run:
        decision = Decision(
            stream_id=STREAM, version=recorded.version, actor=actor, now=book.clock()
        )
        decide(recorded.state, command, decision)  # raises as the real batch would
        return Loaded(changes, recorded.version, applied=False)
    written = book.change(command, actor=actor, expected_version=recorded.version)
    return Loaded(changes, written.version, applied=True, position=written.position)


def describe(change: Change) -> tuple[str, str, str, str]:
    """A change as a row of the plan's table: what, whom, the new values, the day."""
    fields = msgspec.structs.asdict(change)
    key = "person_id" if "person_id" in fields else "unit_id"
    subject = fields.pop(key)
    day = fields.pop("effective", None)
    details = ", ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
    tag = type(change).__struct_config__.tag
    return str(tag), str(subject), details, str(day) if day else ""
