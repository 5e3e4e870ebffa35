"""The blue/green switch: a build that has caught up takes over from the active one in one
transaction that repoints the views, so readers never see a mix or a half-built answer."""

from __future__ import annotations

from typing import Any

import psycopg
import structlog

from projections.engine.ddl import Tables
from projections.engine.eventlog import head_in
from projections.engine.model import Build
from projections.engine.reactor import Reacting
from projections.engine.registry import Registry

log = structlog.get_logger("otklik.projections")


class Switch:
    def __init__(self, registry: Registry, tables: Tables) -> None:
        self.registry = registry
        self.tables = tables

    def try_activate(self, build: Build) -> bool:
        """Point the views at ``build`` when it has caught up with the active build (or with the
        head of the log when there is none); retire the previous one. One transaction: readers
        see the old build or the new one, never a mix and never a half-built one. A reactor's
        build has no views: it takes over the ticking, and its first build takes over at once
        (it serves no reads, and the commands it issues keep moving the head)."""
        if not self.registry.is_building(build):
            return False
        self.tables.create_indexes(build)
        try:
            with self.registry.pool.connection() as conn, conn.transaction():
                conn.execute("SET LOCAL lock_timeout = '5s'")
                position = self._caught_up(conn, build)
                if position is None:
                    return False
                self.tables.point_views(conn, build)
                # The build it replaces, and any older one still building (superseded), retire.
                conn.execute(
                    "UPDATE projection_builds SET active = false, state = 'retired',"
                    " retired_at = now(), updated_at = now() WHERE name = %s"
                    " AND (active OR (state = 'building' AND (version, generation) < (%s, %s)))",
                    (build.name, build.version, build.generation),
                )
                conn.execute(
                    "UPDATE projection_builds SET active = true, state = 'live',"
                    " activated_at = now(), updated_at = now()"
                    " WHERE name = %s AND version = %s AND generation = %s",
                    (build.name, build.version, build.generation),
                )
        except psycopg.errors.LockNotAvailable:
            return False
        log.info("projection.activated", build=build.label, position=position)
        return True

    def _caught_up(self, conn: psycopg.Connection[Any], build: Build) -> int | None:
        """Lock the build's row and the active one's; the build's position when it is still
        building and has caught up with the active build (or the head), else None."""
        rows = conn.execute(
            "SELECT version, generation, position, active, state FROM projection_builds"
            " WHERE name = %s AND (active OR (version = %s AND generation = %s)) FOR UPDATE",
            (build.name, build.version, build.generation),
        ).fetchall()
        mine = next((r for r in rows if (r[0], r[1]) == (build.version, build.generation)), None)
        if mine is None or mine[4] != "building" or mine[3]:
            return None
        current = next((r for r in rows if r[3]), None)
        reached = int(mine[2])
        if current is not None:
            return reached if reached >= current[2] else None
        if isinstance(self.registry.declared[build.name], Reacting):
            return reached
        return reached if reached >= head_in(conn, self.registry.events_table) else None
