"""Every wait on PostgreSQL has an end: connect, pool-wait and statement limits and TCP keepalives
for each pool (from the settings), on top of the client-side limits of ``infra.db_waits``.

Requests and commands get short limits (a quick, honest 503 rather than a long wait); the
projection engine gets a pool of its own with long statements allowed, since a rebuild's batch
may take a while and its threads back off and retry by themselves."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import psycopg
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import ConnectionPool as LibraryPool
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import Connection
from psycopg.rows import DictRow

from infra.db_waits import BoundedPool, Outage, connection_class
from infra.settings import Settings

# How much longer than the server's own statement_timeout the client waits: a live server's
# cancel (a clean QueryCanceled that keeps the connection) comes first.
MARGIN = 0.25
# A peer gone silent without a word (host down, network cut) shows within about
# idle + interval × count seconds, and unacknowledged writes give up after tcp_user_timeout.
# (On a Unix socket libpq ignores them.)
KEEPALIVES: dict[str, Any] = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 20_000,  # ms
}
BACKGROUND_POOL_WAIT = 30.0  # seconds a projection or rebuild waits for a pooled connection
# A pool retries a failed connection with growing pauses (1 s, 2 s, 4 s, …) for this long, then
# leaves it to the next request for a connection: after an outage the first request reconnects
# at once instead of waiting out the pool's pause.
RECONNECT_FOR = 5.0


@dataclass(frozen=True)
class Limits:
    """How long a pool's users wait on the database, in seconds."""

    connect: float  # establishing a connection (libpq connect_timeout; whole seconds, at least 2)
    pool_wait: float  # waiting for a free connection of the pool
    statement: float | None  # one statement (server-side statement_timeout); None: no limit
    interactive: bool = True  # serves requests: fails fast while the database is away
    outage: Outage | None = field(default=None, compare=False)  # shared by a process's pools

    @property
    def round_trip(self) -> float | None:
        """When the client gives up on an answer."""
        return None if self.statement is None else self.statement + MARGIN

    @property
    def longest_wait(self) -> float:
        """The longest one wait lasts under these limits (infinite without a statement limit)."""
        trip = math.inf if self.round_trip is None else self.round_trip
        return max(self.connect, self.pool_wait, trip)

    def connection_kwargs(self) -> dict[str, Any]:
        """libpq parameters for the pool's connections."""
        kwargs: dict[str, Any] = {"connect_timeout": max(2, math.ceil(self.connect)), **KEEPALIVES}
        if self.statement is not None:
            kwargs["options"] = f"-c statement_timeout={round(self.statement * 1000)}"
        return kwargs

    def session_conninfo(self, conninfo: str) -> str:
        """``conninfo`` with the connect timeout and keepalives, for sessions opened outside a
        pool (a projection runner's LISTEN session); no statement timeout."""
        return psycopg.conninfo.make_conninfo(
            conninfo, connect_timeout=max(2, math.ceil(self.connect)), **KEEPALIVES
        )

    def connection_class(self) -> type[psycopg.Connection[Any]]:
        return connection_class(self.round_trip, self.outage, interactive=self.interactive)


def request_limits(settings: Settings, outage: Outage | None = None) -> Limits:
    """For requests and commands."""
    return Limits(
        connect=settings.db_connect_timeout,
        pool_wait=settings.db_pool_timeout,
        statement=settings.db_statement_timeout,
        outage=outage,
    )


def background_limits(settings: Settings, outage: Outage | None = None) -> Limits:
    """For the projections, rebuilds and bulk work: long statements, a longer wait for a
    connection when builds run in parallel, no failing fast (unless a request waits)."""
    return Limits(
        connect=settings.db_connect_timeout,
        pool_wait=BACKGROUND_POOL_WAIT,
        statement=settings.db_background_statement_timeout or None,
        interactive=False,
        outage=outage,
    )


def open_bounded_pool(
    conninfo: str, size: int, limits: Limits, *, name: str, kwargs: dict[str, Any] | None = None
) -> BoundedPool:
    """A pool of at most ``size`` connections under ``limits``, open, with one connection made."""
    pool = BoundedPool(
        conninfo,
        connection_class=limits.connection_class(),
        min_size=1,
        max_size=size,
        name=name,
        open=True,
        timeout=limits.pool_wait,
        kwargs={**(kwargs or {}), **limits.connection_kwargs()},
        outage=limits.outage,
        interactive=limits.interactive,
        reconnect_timeout=RECONNECT_FOR,
    )
    pool.wait(timeout=30)
    return pool


class RecorderPool(BoundedPool, LibraryPool[Connection[DictRow]]):
    """A ``BoundedPool`` that is also the eventsourcing library's pool class, so that it can
    stand in for the pool the library made (``bound_recorder``)."""


def bound_recorder(recorder: ApplicationRecorder, limits: Limits) -> None:
    """Give the eventsourcing library's recorder a pool under ``limits``, as ours are: libpq's
    connect timeout, keepalives, the statement timeout and the client-side limit on each round
    trip, and a wait for a connection that respects the request's cap and shrinks to the
    outage's probe while the database is away (the library's own pool has only a fixed wait,
    from POSTGRES_CONNECT_TIMEOUT). Its size, lifetime and per-connection setup (autocommit,
    idle-in-transaction timeout, the composite types the library registered) are the
    library's; the library's own pool, opened when the recorder was made, is closed."""
    if not isinstance(recorder, PostgresApplicationRecorder):
        return
    datastore = recorder.datastore
    library = datastore.pool
    assert isinstance(library.kwargs, dict)
    pool = RecorderPool(
        library.conninfo,
        connection_class=limits.connection_class(),
        kwargs={**library.kwargs, **limits.connection_kwargs()},
        min_size=library.min_size,
        max_size=library.max_size,
        open=True,
        configure=datastore.after_connect_func(),
        check=LibraryPool.check_connection if datastore.pre_ping else None,
        name="otklik-events",
        timeout=limits.pool_wait,
        max_waiting=library.max_waiting,
        max_lifetime=library.max_lifetime,
        reconnect_timeout=RECONNECT_FOR,
        outage=limits.outage,  # drains it when the database goes away
        interactive=limits.interactive,
        get_password_func=library.get_password_func,
    )
    library.close()
    datastore.pool = pool
