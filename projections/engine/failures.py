"""What the engine records when a build fails: the error's class and a description that names no
value from the events (personal data must never reach the registry, the logs or the routes), and
the failure itself, which crosses process boundaries intact (a parallel rebuild's worker)."""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import psycopg
import structlog
from psycopg_pool import ConnectionPool

if TYPE_CHECKING:  # model imports this module
    from projections.engine.model import Build

log = structlog.get_logger("otklik.projections")

MAX_LENGTH = 300
_ROOT = Path(__file__).resolve().parents[2]  # the repository: frames of our own code
# Whatever may be a value: quoted text ('…', "…", «…», `…`), a key's value as PostgreSQL shows it
# ("=(…)"), an e-mail address, numbers of two digits or more with what separates their digits
# (phones, ids, amounts) and runs of non-ASCII letters (names, addresses: the code's own messages
# are in English).
_VALUES = re.compile(
    r"""'[^']*'?|"[^"]*"?|«[^»]*»?|`[^`]*`?|=\([^)]*\)?|\S+@\S+|\+?\d[\d\s().\-]*\d|[^\x00-\x7f…]+"""
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
_COLUMN = re.compile(r"\bcolumn \"?([a-z_][a-z0-9_]*)")


def scrub(text: str) -> str:
    """``text`` without anything that may be a value, on one line, at most MAX_LENGTH long."""
    masked = _VALUES.sub("…", _CONTROL.sub(" ", text[: MAX_LENGTH * 4]))
    return " ".join(masked.split())[:MAX_LENGTH]


def describe(error: BaseException) -> str:
    """The error's class, its message with every possible value masked (for a database error only
    the primary message: the detail shows the row's values) and, for a database error, the
    column; else where our code raised it."""
    name = type(error).__name__
    if isinstance(error, RecordedFailure):
        return str(error)
    if isinstance(error, UndecodableEvent):  # its message is the decoding error's description
        return scrub(f"{name}: {error}")
    if isinstance(error, psycopg.Error) and error.diag.message_primary is not None:
        message = error.diag.message_primary
        column = error.diag.column_name or _column_in(error.diag.context)
        where = f" (column {column})" if column else ""
    else:
        message = str(error).partition("\n")[0]
        where = _where(error)
    text = scrub(message)
    return scrub(f"{name}: {text}{where}" if text else f"{name}{where}")


def _column_in(context: str | None) -> str | None:
    found = _COLUMN.search(context or "")
    return found.group(1) if found else None


def _where(error: BaseException) -> str:
    """The innermost frame of our own code in the traceback: file and function, no line number
    (digits are masked as possible values)."""
    ours = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.startswith(str(_ROOT)) and "/.venv/" not in frame.filename
    ]
    if not ours:
        return ""
    frame = ours[-1]
    return f" in {Path(frame.filename).relative_to(_ROOT)}, {frame.name}"


class RecordedFailure(Exception):
    """A failure as recorded (its description): what a worker process hands its parent."""


class HandlerFailed(Exception):
    """A build's handler failed on the event at ``position``; ``description`` names no value."""

    def __init__(self, build: Build, position: int, error: BaseException) -> None:
        self.description = describe(error)
        super().__init__(f"{build.label} failed at log position {position}: {self.description}")
        self.build = build
        self.position = position
        self.error = error

    def __reduce__(self) -> tuple[Any, ...]:
        # the original error may not pickle, and may hold values: its description crosses over
        return (HandlerFailed, (self.build, self.position, RecordedFailure(self.description)))


def record_failure(pool: ConnectionPool, failure: HandlerFailed) -> None:
    """Record the build's failure: its position and description, shown by the status."""
    build = failure.build
    with pool.connection() as conn:
        conn.execute(
            "UPDATE projection_builds SET error = %s, error_position = %s, failed_at = now(),"
            " updated_at = now() WHERE name = %s AND version = %s AND generation = %s",
            (failure.description, failure.position, build.name, build.version, build.generation),
        )
    log.error(
        "projection.failed",
        build=build.label,
        position=failure.position,
        error=type(failure.error).__name__,
    )


class Undecodable(msgspec.Struct, frozen=True, gc=False):
    """In place of a stored event the code cannot decode (a type it does not know, a field it
    cannot read): the builds that want it fail at its position instead of stalling (a batch
    refuses it, ``Batch.__post_init__``)."""

    error: str


class UndecodableEvent(Exception):
    """A batch holds an event the code cannot decode."""
