"""The registry of builds (``projection_builds``): which builds of the declared views and reactors
exist, their states and positions, new generations, and the advisory lock that keeps one active
runner per build across processes and machines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
import structlog
from psycopg import sql
from psycopg_pool import ConnectionPool

from projections.engine.eventlog import head_in
from projections.engine.model import Build, Projection
from projections.engine.reactor import Lane, Reacting, in_lane

log = structlog.get_logger("otklik.projections")
_WHERE_BUILD = " WHERE name = %s AND version = %s AND generation = %s"


class Registry:
    def __init__(
        self, pool: ConnectionPool, declared: Mapping[str, Projection], events_table: str
    ) -> None:
        self.pool = pool
        self.declared = dict(declared)  # views, and reactors as ``Reacting``
        self.events_table = events_table

    def by_name(self, name: str) -> Projection:
        try:
            return self.declared[name]
        except KeyError:
            known = ", ".join(sorted(self.declared))
            raise KeyError(f"no projection named {name!r}; there are: {known}") from None

    def register_declared(self) -> None:
        """Register the first build of every declared version that has none (idempotent)."""
        with self.pool.connection() as conn, conn.transaction():
            for declared in self.declared.values():
                conn.execute(
                    "INSERT INTO projection_builds (name, version, generation, position)"
                    " SELECT %(n)s, %(v)s, 1, %(p)s WHERE NOT EXISTS (SELECT FROM"
                    " projection_builds WHERE name = %(n)s AND version = %(v)s)"
                    " ON CONFLICT DO NOTHING",  # another process registered it meanwhile
                    {"n": declared.name, "v": declared.version, "p": self._start(conn, declared)},
                )

    def _start(self, conn: psycopg.Connection[Any], declared: Projection) -> int:
        """Where a new build starts: a view (and a reactor that replays) at the beginning of the
        log; any other reactor where its previous build's tracking stood (the active one, else
        the furthest), or at the head of the log for its first (``reactor.py``)."""
        if not isinstance(declared, Reacting) or declared.replay:
            return 0
        row = conn.execute(
            "SELECT position FROM projection_builds WHERE name = %s AND state <> 'dropped'"
            " ORDER BY active DESC, position DESC LIMIT 1",
            (declared.name,),
        ).fetchone()
        return int(row[0]) if row else head_in(conn, self.events_table)

    def runnable(self, names: Sequence[str] | None = None, lane: Lane = "all") -> list[Build]:
        """Builds of the declared versions that are building or live (of ``lane``'s only)."""
        wanted = [self.declared[n] for n in names] if names else self.declared.values()
        wanted = [d for d in wanted if in_lane(d, lane)]
        builds: list[Build] = []
        with self.pool.connection() as conn:
            for declared in wanted:
                rows = conn.execute(
                    "SELECT generation FROM projection_builds WHERE name = %s AND version = %s"
                    " AND state IN ('building', 'live') ORDER BY generation",
                    (declared.name, declared.version),
                ).fetchall()
                builds.extend(Build(declared.name, declared.version, r[0]) for r in rows)
        return builds

    def new_generation(self, name: str, lock: psycopg.Connection[Any] | None = None) -> Build:
        """Register a fresh build of ``name``'s current version beside the live one. With
        ``lock`` (a session connection), take the build's advisory lock before anyone sees it.
        The caller creates its tables."""
        declared = self.by_name(name)
        while True:
            with self.pool.connection() as conn:
                row = conn.execute(
                    "SELECT coalesce(max(generation), 0) + 1 FROM projection_builds"
                    " WHERE name = %s AND version = %s",
                    (name, declared.version),
                ).fetchone()
                assert row is not None
                build = Build(name, declared.version, int(row[0]))
                if lock is not None:
                    try_lock(lock, build)
                try:
                    conn.execute(
                        "INSERT INTO projection_builds (name, version, generation, position)"
                        " VALUES (%s, %s, %s, %s)",
                        (build.name, build.version, build.generation, self._start(conn, declared)),
                    )
                    conn.commit()
                except psycopg.errors.UniqueViolation:
                    conn.rollback()
                    if lock is not None:
                        unlock(lock, build)
                    continue
            log.info("projection.build_registered", build=build.label)
            return build

    def building(self, name: str) -> Build | None:
        """The build of ``name``'s current version that is being built, if any."""
        declared = self.by_name(name)
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT generation FROM projection_builds WHERE name = %s AND version = %s"
                " AND state = 'building' ORDER BY generation DESC LIMIT 1",
                (name, declared.version),
            ).fetchone()
        return Build(name, declared.version, row[0]) if row else None

    def is_building(self, build: Build) -> bool:
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT state FROM projection_builds" + _WHERE_BUILD,
                (build.name, build.version, build.generation),
            ).fetchone()
        return bool(row and row[0] == "building")

    def active(self, name: str) -> Build | None:
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT version, generation FROM projection_builds WHERE name = %s AND active",
                (name,),
            ).fetchone()
        return Build(name, row[0], row[1]) if row else None

    def positions(self, builds: Sequence[Build]) -> dict[Build, int]:
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT name, version, generation, position FROM projection_builds"
                " WHERE (name, version, generation) IN"
                " (SELECT * FROM unnest(%s::text[], %s::int[], %s::int[]))",
                (
                    [b.name for b in builds],
                    [b.version for b in builds],
                    [b.generation for b in builds],
                ),
            ).fetchall()
        return {Build(r[0], r[1], r[2]): int(r[3]) for r in rows}

    def position(self, build: Build) -> int:
        """The position ``build`` has committed (KeyError: no such build)."""
        found = self.positions([build])
        if build not in found:
            raise KeyError(f"no build {build.label}")
        return found[build]

    def drop(self, build: Build) -> None:
        """Drop a retired build's tables (the active one cannot be dropped)."""
        declared = self.by_name(build.name)
        with self.pool.connection() as conn, conn.transaction():
            row = conn.execute(
                "SELECT active, state FROM projection_builds" + _WHERE_BUILD + " FOR UPDATE",
                (build.name, build.version, build.generation),
            ).fetchone()
            if row is None:
                raise KeyError(f"no build {build.label}")
            if row[0]:
                raise ValueError(f"{build.label} is active; build and activate another first")
            for table in declared.tables if build.version == declared.version else ():
                conn.execute(
                    sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(
                        sql.Identifier(build.physical(table))
                    )
                )
            conn.execute(
                "UPDATE projection_builds SET state = 'dropped', updated_at = now()" + _WHERE_BUILD,
                (build.name, build.version, build.generation),
            )

    def ticked(self, build: Build) -> None:
        """Record that a reactor's timer ticked (shown in the status)."""
        with self.pool.connection() as conn:
            conn.execute(
                "UPDATE projection_builds SET ticked_at = now()" + _WHERE_BUILD,
                (build.name, build.version, build.generation),
            )


def try_lock(conn: psycopg.Connection[Any], build: Build) -> bool:
    row = conn.execute("SELECT pg_try_advisory_lock(%s)", (build.lock_key,)).fetchone()
    return bool(row and row[0])


def unlock(conn: psycopg.Connection[Any], build: Build) -> None:
    conn.execute("SELECT pg_advisory_unlock(%s)", (build.lock_key,))
