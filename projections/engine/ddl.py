"""The tables of a build: created from the projection's DDL, indexed and analysed before it takes
over, the views readers query pointed at them, and checksums to compare two builds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg
import structlog
from psycopg import sql
from psycopg_pool import ConnectionPool

from projections.engine.model import Build, Projection, advisory_key

log = structlog.get_logger("otklik.projections")


class Tables:
    def __init__(self, pool: ConnectionPool, declared: Mapping[str, Projection]) -> None:
        self.pool = pool
        self.declared = declared

    def _names(self, build: Build) -> dict[str, str]:
        return {t: build.physical(t) for t in self.declared[build.name].tables}

    def create(self, build: Build) -> None:
        """Create the build's tables unless they exist."""
        projection = self.declared[build.name]
        names = self._names(build)
        if not names:
            return
        with self.pool.connection() as conn, conn.transaction():
            exists = conn.execute(
                "SELECT to_regclass(%s) IS NOT NULL", (names[projection.tables[0]],)
            ).fetchone()
            if exists and exists[0]:
                return
            try:
                with conn.transaction():
                    conn.execute(projection.ddl.format(**names))  # identifiers we made
            except (psycopg.errors.DuplicateTable, psycopg.errors.UniqueViolation):
                return  # another process created them meanwhile (CREATE races in PostgreSQL)
            grant_readers(conn)
        log.info("projection.tables_created", build=build.label)

    def create_indexes(self, build: Build) -> None:
        """The secondary indexes, then fresh planner statistics: a table filled in bulk has
        none until autovacuum comes by, and its first queries would be planned blind."""
        projection = self.declared[build.name]
        names = self._names(build)
        if not names:
            return
        with self.pool.connection() as conn, conn.transaction():
            if projection.indexes.strip():
                conn.execute(projection.indexes.format(**names))
            for table in names.values():
                conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))

    def point_views(self, conn: psycopg.Connection[Any], build: Build) -> None:
        """Point the views named after the logical tables at ``build``'s (in the caller's
        transaction: readers see the old build or the new one, never a mix)."""
        names = self._names(build)
        if not names:
            return  # a reactor: no tables to point at or grant
        for table, physical in names.items():
            conn.execute(
                sql.SQL(
                    "DROP VIEW IF EXISTS {view}; CREATE VIEW {view} AS SELECT * FROM {table}"
                ).format(view=sql.Identifier(table), table=sql.Identifier(physical))
            )
        grant_readers(conn)

    def checksums(self, build: Build) -> dict[str, str]:
        """An md5 of every table of a build, over its rows in a canonical order: two builds of
        the same version from the same log must give the same checksums."""
        result = {}
        with self.pool.connection() as conn:
            for table, physical in self._names(build).items():
                row = conn.execute(
                    sql.SQL(
                        "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n'"
                        " ORDER BY t::text)), '') FROM {} AS t"
                    ).format(sql.Identifier(physical))
                ).fetchone()
                result[table] = str(row[0]) if row else ""
        return result


GRANT_LOCK = advisory_key("projection:grant")


def grant_readers(conn: psycopg.Connection[Any]) -> None:
    """The application role reads the read models (tables and views) and nothing more. One
    transaction at a time (an advisory lock to its end): two GRANTs on the same tables at once
    fail with "tuple concurrently updated" (two processes switching builds together)."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (GRANT_LOCK,))
    conn.execute(
        """
        DO $$ BEGIN
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'otklik_app') THEN
                EXECUTE 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO otklik_app';
            END IF;
        END $$
        """
    )
