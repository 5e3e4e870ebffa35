"""Versioned projection builds (blue/green): the registry the projection engine runs from.

The first appeals view (0002) was a single table with a single tracking row. From here on every
projection version is built into its own tables, created by the engine from the projection's DDL
(``<table>_v<version>`` and, for a rebuild of the same version, ``…_g<generation>``), and readers
query a view named after the table that points at the active build. Read models can always be
dropped and rebuilt, so this migration drops the old one; the engine rebuilds it from the log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        DROP TABLE appeals_v1;
        DROP TABLE projection_tracking;

        -- One row per build of a projection version. A batch's writes and the build's position
        -- commit in one transaction (exactly-once). At most one build per projection is active:
        -- the one its views point at.
        CREATE TABLE projection_builds (
            name text NOT NULL,
            version integer NOT NULL,
            generation integer NOT NULL,
            state text NOT NULL DEFAULT 'building'
                CHECK (state IN ('building', 'live', 'retired', 'dropped')),
            active boolean NOT NULL DEFAULT false,
            position bigint NOT NULL DEFAULT 0,
            events_per_second double precision NOT NULL DEFAULT 0,
            error text,
            error_position bigint,
            failed_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now(),
            activated_at timestamptz,
            retired_at timestamptz,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (name, version, generation),
            CHECK (NOT active OR state = 'live')
        );
        CREATE UNIQUE INDEX projection_builds_one_active ON projection_builds (name) WHERE active;

        DO $$
        BEGIN
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'otklik_app') THEN
                EXECUTE 'GRANT SELECT, INSERT, UPDATE ON projection_builds TO otklik_app';
            END IF;
        END
        $$;
        """
    )


def downgrade() -> None:
    raise NotImplementedError("read models are rebuilt, not downgraded: restore 0002 from scratch")
