"""What a query on a view meets: the view's position, and the views that cannot answer yet —
still being built, behind the position asked for, or failed on an event."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool


class ProjectionNotReady(Exception):
    """A query reached a projection that has no active build yet (its first build is running)."""

    def __init__(self, name: str, message: str | None = None) -> None:
        super().__init__(message or f"the {name!r} view is being built; try again shortly")
        self.name = name


# A build stopped on an event: building, or live (its view serves reads, frozen where it
# stopped), with an error recorded; it stays there until it is repaired.
FAILED_BUILD = "error IS NOT NULL AND state IN ('building', 'live')"


@contextlib.contextmanager
def reading(pool: ConnectionPool, name: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection for a query on the view ``name``; ProjectionNotReady while it has no active
    build (its tables do not exist yet), ProjectionFailed when its first build has failed."""
    try:
        with pool.connection() as conn:
            yield conn
    except psycopg.errors.UndefinedTable:
        with pool.connection() as conn:
            row = conn.execute(
                "SELECT version, position, error_position FROM projection_builds WHERE name = %s"
                f" AND NOT active AND {FAILED_BUILD} ORDER BY version DESC LIMIT 1",
                (name,),
            ).fetchone()
        if row is not None:
            raise ProjectionFailed(name, row[0], int(row[1]), row[2]) from None
        raise ProjectionNotReady(name) from None


def view_position(conn: psycopg.Connection[Any], name: str) -> int | None:
    """The log position the active build of view ``name`` has applied (None: no active build)."""
    row = conn.execute(
        "SELECT position FROM projection_builds WHERE name = %s AND active", (name,)
    ).fetchone()
    return int(row[0]) if row else None


class ProjectionBehind(Exception):
    """A read-your-writes query waited for a position the view did not reach in time."""

    def __init__(self, name: str, wanted: int, reached: int) -> None:
        super().__init__(
            f"the {name!r} view is at log position {reached}, not yet at {wanted}; retry shortly"
        )
        self.name = name
        self.wanted = wanted
        self.reached = reached


class ProjectionFailed(ProjectionNotReady):
    """A query reached a view whose build failed on an event before ``wanted`` (or before its
    first build was done): it will not get there until an operator fixes and rebuilds it
    (docs/recovery.md). A kind of "not ready", so that background readers that skip a view that
    is not ready skip this one too."""

    def __init__(
        self,
        name: str,
        version: int,
        reached: int,
        failed_at: int | None,
        wanted: int | None = None,
    ) -> None:
        super().__init__(
            name,
            f"the {name!r} view (version {version}) failed on the event at log position"
            f" {failed_at} and stays at {reached} until it is repaired; see docs/recovery.md",
        )
        self.version = version
        self.reached = reached
        self.failed_at = failed_at
        self.wanted = wanted
