"""The builds as an operator sees them, views and reactors alike: state, position, lag, error and
(a reactor's) last tick; the failed ones (what readiness reports); and waiting for a view to
reach a position (read your writes), which gives up at once on a view that has failed short of
it.

Everything here keeps answering whatever the log holds: nothing parses an event in SQL (one with
``\\u0000`` cannot become PostgreSQL text), and recorded errors are shown scrubbed."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import msgspec
import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from projections.engine.failures import scrub
from projections.engine.model import Build
from projections.engine.reads import FAILED_BUILD, ProjectionBehind, ProjectionFailed


class ProjectionStatus(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    version: int
    generation: int
    active: bool
    state: str  # building, live, retired, failed, stopped (no runner), stalled
    position: int
    head: int
    lag_events: int
    lag_seconds: float
    events_per_second: float
    error: str | None  # the error's class and a description that names no value
    error_position: int | None
    updated_at: datetime
    activated_at: datetime | None
    kind: str = "view"  # view, or reactor (its output is commands)
    ticked_at: datetime | None = None  # a reactor's timer: when it last ticked


class FailedBuild(msgspec.Struct, frozen=True, kw_only=True):
    """A build that stopped on an event: it stays at ``position`` until it is repaired."""

    projection: str
    version: int
    generation: int
    active: bool  # its view serves reads (frozen at ``position``)
    position: int  # the last event applied
    failed_at: int | None  # the event it fails on
    error: str


class _Stamp(msgspec.Struct):
    timestamp: datetime | None = None


_STAMP = msgspec.json.Decoder(_Stamp)


def read_status(
    pool: ConnectionPool,
    events_table: str,
    stall_seconds: float,
    head: int,
    reactors: frozenset[str] = frozenset(),
) -> list[ProjectionStatus]:
    """Every build that is not dropped (``reactors`` names the reactors among them). A build is
    ``failed`` while it is building or live with an error recorded; a retired one stays
    ``retired``."""
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT b.name, b.version, b.generation, b.active, b.state, b.position,"
            " b.events_per_second, b.error, b.error_position, b.updated_at, b.activated_at,"
            " now() - b.updated_at > make_interval(secs => %s) AS quiet, b.ticked_at"
            " FROM projection_builds b WHERE b.state <> 'dropped'"
            " ORDER BY b.name, b.version, b.generation",
            (stall_seconds,),
        ).fetchall()
        held = {
            int(r[0])
            for r in conn.execute(
                "SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks"
                " WHERE locktype = 'advisory' AND granted AND objsubid = 1"
            ).fetchall()
        }
        behind = {int(r[5]) for r in rows if int(r[5]) < head}
        oldest = {p: _age_of_next(conn, events_table, p) for p in behind}
    return [_status(r, head, held, oldest, r[0] in reactors) for r in rows]


def _status(
    r: tuple[Any, ...], head: int, held: set[int], oldest: dict[int, float], reactor: bool
) -> ProjectionStatus:
    build = Build(r[0], r[1], r[2])
    position = int(r[5])
    lag = max(head - position, 0)
    state = r[4]
    if state in ("building", "live"):
        if r[7] is not None:
            state = "failed"
        elif build.lock_key not in held:
            state = "stopped" if lag else state
        elif lag and r[11]:
            state = "stalled"
    return ProjectionStatus(
        name=build.name,
        version=build.version,
        generation=build.generation,
        active=bool(r[3]),
        state=state,
        position=position,
        head=head,
        lag_events=lag,
        lag_seconds=round(max(oldest.get(position, 0.0), 0.0), 3) if lag else 0.0,
        events_per_second=float(r[6]) if lag or state == "building" else 0.0,
        error=scrub(r[7]) if r[7] is not None else None,
        error_position=r[8],
        updated_at=r[9].astimezone(UTC),
        activated_at=r[10].astimezone(UTC) if r[10] else None,
        kind="reactor" if reactor else "view",
        ticked_at=r[12].astimezone(UTC) if r[12] else None,
    )


def _age_of_next(conn: psycopg.Connection[Any], events_table: str, position: int) -> float:
    """Seconds since the first event after ``position`` was recorded (0 when it cannot be told).
    The timestamp is read in Python: PostgreSQL's JSON functions refuse an event holding
    ``\\u0000``, which is what a failed build is usually stopped on."""
    with conn.cursor(binary=True) as cur:
        cur.execute(
            sql.SQL(
                "SELECT state FROM {} WHERE notification_id > %s ORDER BY notification_id LIMIT 1"
            ).format(sql.Identifier(events_table)),
            (position,),
        )
        row = cur.fetchone()
    try:
        stamp = _STAMP.decode(row[0]).timestamp if row else None
    except msgspec.DecodeError:
        return 0.0
    if stamp is None or stamp.tzinfo is None:
        return 0.0
    return (datetime.now(UTC) - stamp).total_seconds()


def failed_builds(pool: ConnectionPool, timeout: float | None = None) -> list[FailedBuild]:
    """The builds stopped on an event: building or live, with an error recorded."""
    with pool.connection(timeout=timeout) as conn:
        rows = conn.execute(
            "SELECT name, version, generation, active, position, error_position, error"
            f" FROM projection_builds WHERE {FAILED_BUILD} ORDER BY name, version, generation"
        ).fetchall()
    return [
        FailedBuild(
            projection=r[0],
            version=r[1],
            generation=r[2],
            active=bool(r[3]),
            position=int(r[4]),
            failed_at=r[5],
            error=scrub(r[6]),
        )
        for r in rows
    ]


def wait_for_position(pool: ConnectionPool, name: str, position: int, timeout: float) -> int:
    """Wait until ``name``'s active build has applied ``position``; its position, or
    ProjectionBehind after ``timeout`` seconds, or ProjectionFailed at once when the build has
    failed short of it (it will not move until it is repaired)."""
    deadline = time.monotonic() + timeout
    pause = 0.002
    while True:
        with pool.connection() as conn:
            # the active build, else a first build that failed
            row = conn.execute(
                "SELECT position, active, error IS NOT NULL, version, error_position"
                " FROM projection_builds WHERE name = %s"
                f" AND (active OR ({FAILED_BUILD}))"
                " ORDER BY active DESC, version DESC LIMIT 1",
                (name,),
                prepare=True,
            ).fetchone()
        reached = int(row[0]) if row and row[1] else 0
        if row is not None and row[1] and reached >= position:
            return reached
        if row is not None and row[2]:
            raise ProjectionFailed(name, row[3], int(row[0]), row[4], wanted=position)
        if time.monotonic() >= deadline:
            raise ProjectionBehind(name, position, reached)
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
