"""The client's side of every wait on PostgreSQL: a limit on each round trip, the caller's cap,
and a breaker that makes requests fail fast while the database is away.

A *frozen* server (SIGSTOP, a hung host) still accepts connections and bytes (the kernel does
that), so neither ``statement_timeout`` nor TCP keepalives ever fire: only the client can give
up. A connection that gives up mid-statement is closed (its protocol state is unknown), its pool
replaces it, and the caller gets ``DatabaseUnresponsive``, a ``psycopg.OperationalError``.

While the database is away (a round trip went unanswered or a connection was lost, and none has
been answered since) the waits of requests shrink to ``Outage.probe``: a burst of requests then
cannot hold the server's few worker threads for the full limits each. The first answer ends it.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, ClassVar, ParamSpec, TypeVar

import psycopg
import structlog
from psycopg import errors, pq
from psycopg.abc import PQGen
from psycopg.rows import Row, TupleRow
from psycopg_pool import ConnectionPool, PoolTimeout

RV = TypeVar("RV")
P = ParamSpec("P")
R = TypeVar("R")

log = structlog.get_logger("otklik.database")
PROBE_SECONDS = 0.5  # a request's waits while the database is away
_WAIT_INTERVAL = 0.1  # psycopg's own polling interval
# A cap on every pool wait and round trip made in this context (see ``capped``).
_cap: ContextVar[float | None] = ContextVar("otklik_database_cap", default=None)
# The moment (time.monotonic) by which a request's waits on the database must all have ended
# (see ``request_deadline``): what bounds a request whose waits began before anyone saw the
# database go away (a pool wait, then a statement that never returns).
_deadline: ContextVar[float | None] = ContextVar("otklik_request_deadline", default=None)


class DatabaseUnresponsive(psycopg.OperationalError):
    """The server did not answer a round trip in time; the connection was closed."""


class Outage:
    """Whether the database is away, as this process last saw it. When it goes away, the pools
    that registered with ``on_away`` drop their idle connections: those share the fate of the
    one that failed, and would each fail a request once the database is back."""

    def __init__(self, probe: float = PROBE_SECONDS) -> None:
        self.probe = probe
        self._since: float | None = None
        self._lock = threading.Lock()
        self._on_away: list[Callable[[], None]] = []

    def on_away(self, call: Callable[[], None]) -> None:
        self._on_away.append(call)

    @property
    def away(self) -> bool:
        return self._since is not None

    def failed(self, what: str) -> None:
        with self._lock:
            if self._since is not None:
                return
            self._since = time.monotonic()
        log.warning("database.away", error=what)
        for call in self._on_away:
            try:
                call()
            except Exception as error:  # a pool closing: the next use tells
                log.warning("database.drain_failed", error=type(error).__name__)

    def answered(self) -> None:
        if self._since is None:  # the common case, without the lock
            return
        with self._lock:
            since, self._since = self._since, None
        if since is not None:
            log.info("database.back", away_seconds=round(time.monotonic() - since, 2))


def _capped(limit: float | None) -> float | None:
    cap = _cap.get()
    if cap is None:
        return limit
    return cap if limit is None else min(limit, cap)


def allowed_wait(
    own: float | None, outage: Outage | None, interactive: bool, *, deadline: bool = True
) -> float | None:
    """The wait allowed now: the own limit, under the context's cap and, for a request while
    the database is away, under the outage's probe."""
    limit = _capped(own)
    if outage is not None and outage.away and (interactive or _cap.get() is not None):
        limit = outage.probe if limit is None else min(limit, outage.probe)
    left = _left() if deadline else None
    if left is not None:
        limit = left if limit is None else min(limit, left)
    return limit


def _left() -> float | None:
    deadline = _deadline.get()
    return None if deadline is None else max(deadline - time.monotonic(), 0.0)


def restart_deadline(seconds: float) -> None:
    """Inside ``request_deadline``: count its ``seconds`` from now (the body has arrived)."""
    if _deadline.get() is not None:
        _deadline.set(time.monotonic() + seconds)


@contextlib.contextmanager
def request_deadline(seconds: float) -> Iterator[None]:
    """Every wait on the database inside the block (a request) ends within ``seconds`` of its
    start, in all: past it the request answers 503 instead of waiting on."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


@contextlib.contextmanager
def capped(seconds: float) -> Iterator[None]:
    """No pool wait or round trip inside the block lasts longer than ``seconds``, whatever its
    pool's own limits, and the waits fail fast while the database is away: for what a request
    asks of a pool meant for background work."""
    token = _cap.set(_capped(seconds))
    try:
        yield
    finally:
        _cap.reset(token)


def under_cap(seconds: float, call: Callable[P, R]) -> Callable[P, R]:
    """``call``, run under ``capped(seconds)``."""

    @functools.wraps(call)
    def bounded(*args: P.args, **kwargs: P.kwargs) -> R:
        with capped(seconds):
            return call(*args, **kwargs)

    return bounded


class BoundedConnection(psycopg.Connection[Row]):
    """A connection whose every round trip is limited (see ``connection_class``); past the
    limit it is closed and ``DatabaseUnresponsive`` raised."""

    round_trip: ClassVar[float | None] = None  # seconds; None: no limit of its own
    outage: ClassVar[Outage | None] = None
    interactive: ClassVar[bool] = False  # serves requests: fails fast while the database is away

    def wait(
        self, gen: PQGen[RV], interval: float = _WAIT_INTERVAL, timeout: float | None = None
    ) -> RV:
        if timeout is not None:  # the caller bounds this wait itself (notifies, cancel)
            return super().wait(gen, interval, timeout)
        limit = allowed_wait(self.round_trip, self.outage, self.interactive)
        # Only silence for the connection's whole own limit (or while already probing) says the
        # server is away; a caller's cap or a request's deadline running out says nothing of it.
        own = self.round_trip
        server_silent = (own is not None and limit is not None and limit >= own) or bool(
            self.outage is not None and self.outage.away
        )
        if limit is not None and limit <= 0:
            self.close()
            raise DatabaseUnresponsive("the request's time for the database is up")
        try:
            result = super().wait(gen, interval, limit)
        except errors._WaitTimeout:  # psycopg's own "no answer within timeout"
            self.close()  # mid-protocol: unusable; the pool discards a closed connection
            if server_silent:
                self._failed("no answer")
            raise DatabaseUnresponsive(
                f"the database did not answer within {limit:g} s; the connection was closed"
            ) from None
        except psycopg.OperationalError as error:
            if self.pgconn.status == pq.ConnStatus.BAD:  # the connection was lost
                self._failed(type(error).__name__)
            raise
        if self.outage is not None:
            self.outage.answered()
        return result

    def _failed(self, what: str) -> None:
        if self.outage is not None:
            self.outage.failed(what)


def connection_class(
    round_trip: float | None, outage: Outage | None = None, *, interactive: bool = False
) -> type[BoundedConnection[Any]]:
    """A connection class whose round trips are limited to ``round_trip`` seconds, reporting to
    ``outage``."""
    attributes = {
        "round_trip": round_trip,
        "outage": outage,
        "interactive": interactive,
        "__module__": __name__,
    }
    return type("BoundedConnection", (BoundedConnection,), attributes)


class BoundedPool(ConnectionPool):
    """A pool whose waits for a connection respect the context's cap and, when ``interactive``
    or under a cap, fail fast while the database is away."""

    def __init__(
        self, *args: Any, outage: Outage | None = None, interactive: bool = False, **kwargs: Any
    ) -> None:
        self.outage = outage
        self.interactive = interactive
        super().__init__(*args, **kwargs)
        if outage is not None:
            outage.on_away(self.drain)

    def getconn(self, timeout: float | None = None) -> psycopg.Connection[TupleRow]:
        limit = allowed_wait(
            self.timeout if timeout is None else timeout, self.outage, self.interactive
        )
        if limit is not None and limit <= 0:
            raise PoolTimeout("no time left to wait for a connection")
        return super().getconn(limit)


def until_reachable(
    call: Callable[[], R], what: str, *, first: float = 1.0, most: float = 30.0
) -> R:
    """``call()``, repeated with a growing pause (1 s, 2 s, … ``most``) while it fails for want
    of the database, until it succeeds: for background work started while the database is away."""
    pause = first
    while True:
        try:
            return call()
        except (psycopg.OperationalError, psycopg.InterfaceError) as error:
            log.warning(f"{what}.retry", error=type(error).__name__, retry_in=pause)
        time.sleep(pause)
        pause = min(pause * 2, most)
