"""Registration numbers are unique within a municipality: one row per number, written with the
event that gives it.

The recorder inserts the number in the same transaction as the ``AppealRegistered`` event, so two
appeals of one municipality can never take one number, whether a clerk types it or the sequence
issues it. Numbers already in the log are loaded here (the first appeal to take a number keeps
it; a NUL an older version let through is dropped from the key). Bulk loads of generated data
(the demo, benchmarks) append without this record.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        r"""
        CREATE TABLE registration_numbers (
            municipality text NOT NULL,  -- '' for the deployment's default municipality
            number text NOT NULL,
            appeal_id uuid NOT NULL,
            PRIMARY KEY (municipality, number)
        );
        WITH stored AS (
            SELECT originator_id, notification_id, topic,
                   replace(convert_from(state, 'UTF8'), '\u0000', '')::jsonb AS body
              FROM otklik_events
             WHERE topic LIKE 'AppealRegistered%' OR topic LIKE 'AppealReceived%'
        )
        INSERT INTO registration_numbers (municipality, number, appeal_id)
        SELECT DISTINCT ON (municipality, number) municipality, number, originator_id
          FROM (
            SELECT r.originator_id, r.notification_id,
                   r.body ->> 'registration_number' AS number,
                   coalesce(a.body ->> 'municipality', '') AS municipality
              FROM stored r
              LEFT JOIN stored a
                ON a.originator_id = r.originator_id AND a.topic LIKE 'AppealReceived%'
             WHERE r.topic LIKE 'AppealRegistered%'
          ) AS registered
         WHERE number IS NOT NULL
         ORDER BY municipality, number, notification_id;
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'otklik_app') THEN
                EXECUTE 'GRANT SELECT, INSERT ON registration_numbers TO otklik_app';
            END IF;
        END
        $$;
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE registration_numbers")
