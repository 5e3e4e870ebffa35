"""Projection tracking and the first read model: the appeal list and current state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        -- One row per projection version: the log position its read model reflects. A batch's
        -- rows and this position commit in one transaction (exactly-once).
        CREATE TABLE projection_tracking (
            name text NOT NULL,
            version integer NOT NULL,
            position bigint NOT NULL DEFAULT 0,
            state text NOT NULL DEFAULT 'live',
            error text,
            error_position bigint,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (name, version)
        );

        CREATE TABLE appeals_v1 (
            appeal_id uuid PRIMARY KEY,
            version integer NOT NULL,
            position bigint NOT NULL,
            kind text NOT NULL,
            channel text NOT NULL,
            status text NOT NULL,
            registration_number text,
            topic text,
            department text,
            executor text,
            sector text,
            received_at timestamptz NOT NULL,
            answer_due timestamptz,
            closed_at timestamptz,
            state json NOT NULL  -- the encoded AppealState, served as it is
        );
        CREATE INDEX appeals_v1_received ON appeals_v1 (received_at DESC, appeal_id DESC);
        CREATE INDEX appeals_v1_status ON appeals_v1 (status, received_at DESC);
        CREATE INDEX appeals_v1_department ON appeals_v1 (department, received_at DESC);
        CREATE INDEX appeals_v1_registration ON appeals_v1 (registration_number);

        INSERT INTO projection_tracking (name, version) VALUES ('appeals', 1);
        DO $$
        BEGIN
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'otklik_app') THEN
                EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE'
                    ' ON projection_tracking, appeals_v1 TO otklik_app';
            END IF;
        END
        $$;
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE appeals_v1; DROP TABLE projection_tracking;")
