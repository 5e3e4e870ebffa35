"""What a runner holds of a build it runs (its position as last committed, its cache, its rate),
and the tracking writes every build shares: claiming a batch under the row lock and advancing the
position, which announces it on ``NOTIFY_CHANNEL``."""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError

from projections.engine.model import Build, Projection
from projections.engine.reads import ProjectionBehind, ProjectionNotReady

NOTIFY_CHANNEL = "otklik_projections"  # the engine announces "name:version:generation:position"
RUNNING = ("building", "live")

# Connection trouble is retried (the library wraps the driver's in its own classes: a reactor's
# commands go through it); anything else raised by a handler stops its build.
INFRASTRUCTURE: tuple[type[Exception], ...] = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    OperationalError,
    InterfaceError,
)
# A reactor waiting on a view that is not there yet is not broken either: it tries again later.
NOT_YET: tuple[type[Exception], ...] = (*INFRASTRUCTURE, ProjectionBehind, ProjectionNotReady)


def is_infrastructure(error: BaseException) -> bool:
    """Connection trouble is retried; anything else raised by a handler stops its build."""
    return isinstance(error, INFRASTRUCTURE)


@dataclass
class Target:
    """A build this process is running."""

    projection: Projection
    build: Build
    position: int
    cache: dict[Any, Any] = field(default_factory=dict)
    last_commit: float = field(default_factory=time.monotonic)
    rate: float = 0.0
    moved: bool = False  # another runner committed in between: stop, do not compete
    batch_seconds: float = 0.0  # how long the last batch took to apply and commit

    @property
    def tables(self) -> dict[str, str]:
        return {t: self.build.physical(t) for t in self.projection.tables}


def claim(conn: psycopg.Connection[Any], target: Target, finished: set[Build]) -> bool:
    """Lock the build's row; refuse the batch when its position moved (another runner) or the
    build was retired (it joins ``finished``), and re-sync."""
    row = conn.execute(
        "SELECT position, state FROM projection_builds"
        " WHERE name = %s AND version = %s AND generation = %s FOR UPDATE",
        (target.build.name, target.build.version, target.build.generation),
    ).fetchone()
    if row is None or row[1] not in RUNNING:
        finished.add(target.build)
        return False
    if int(row[0]) != target.position:
        target.position = int(row[0])
        target.cache.clear()
        target.moved = True
        return False
    return True


def advance(conn: psycopg.Connection[Any], target: Target, position: int, count: int) -> None:
    """Record the build's new position (and its rate) in the caller's transaction, clear any
    recorded error, and announce it."""
    now = time.monotonic()
    elapsed = max(now - target.last_commit, 1e-6)
    instant = count / elapsed
    target.rate = instant if target.rate == 0 else 0.7 * target.rate + 0.3 * instant
    target.last_commit = now
    build = target.build
    conn.execute(
        "UPDATE projection_builds SET position = %s, events_per_second = %s, error = NULL,"
        " error_position = NULL, failed_at = NULL, updated_at = now()"
        " WHERE name = %s AND version = %s AND generation = %s",
        (position, round(target.rate, 1), build.name, build.version, build.generation),
    )
    conn.execute(
        "SELECT pg_notify(%s, %s)",
        (NOTIFY_CHANNEL, f"{build.name}:{build.version}:{build.generation}:{position}"),
    )


_gc_lock = threading.Lock()
_gc_pausers = 0


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch allocates many thousands of objects
    (none of them in cycles: events and states are msgspec structs with gc=False)."""
    global _gc_pausers
    with _gc_lock:
        _gc_pausers += 1
        gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0:
                gc.enable()


def claim_many(
    conn: psycopg.Connection[Any], targets: list[Target], finished: set[Build]
) -> list[Target]:
    """``claim`` for a group of builds in one statement (rows locked in one order, so two groups
    never deadlock): the targets whose batch may go on."""
    rows = conn.execute(
        "SELECT name, version, generation, position, state FROM projection_builds"
        " WHERE (name, version, generation) IN"
        " (SELECT * FROM unnest(%s::text[], %s::int[], %s::int[]))"
        " ORDER BY name, version, generation FOR UPDATE",
        (
            [t.build.name for t in targets],
            [t.build.version for t in targets],
            [t.build.generation for t in targets],
        ),
    ).fetchall()
    found = {Build(r[0], r[1], r[2]): (int(r[3]), r[4]) for r in rows}
    claimed = []
    for target in targets:
        position, state = found.get(target.build, (0, None))
        if state not in RUNNING:
            finished.add(target.build)
        elif position != target.position:
            target.position = position
            target.cache.clear()
            target.moved = True
        else:
            claimed.append(target)
    return claimed


def advance_many(
    conn: psycopg.Connection[Any], targets: list[Target], position: int, count: int
) -> None:
    """``advance`` for a group of builds: one UPDATE and one statement of NOTIFYs."""
    if not targets:
        return
    now = time.monotonic()
    for target in targets:
        instant = count / max(now - target.last_commit, 1e-6)
        target.rate = instant if target.rate == 0 else 0.7 * target.rate + 0.3 * instant
        target.last_commit = now
    builds = [t.build for t in targets]
    conn.execute(
        "UPDATE projection_builds b SET position = %s, events_per_second = r.rate,"
        " error = NULL, error_position = NULL, failed_at = NULL, updated_at = now()"
        " FROM unnest(%s::text[], %s::int[], %s::int[], %s::float8[])"
        " AS r(name, version, generation, rate)"
        " WHERE b.name = r.name AND b.version = r.version AND b.generation = r.generation",
        (
            position,
            [b.name for b in builds],
            [b.version for b in builds],
            [b.generation for b in builds],
            [round(t.rate, 1) for t in targets],
        ),
    )
    conn.execute(
        "SELECT pg_notify(%s, payload) FROM unnest(%s::text[]) AS payload",
        (NOTIFY_CHANNEL, [f"{b.name}:{b.version}:{b.generation}:{position}" for b in builds]),
    )
