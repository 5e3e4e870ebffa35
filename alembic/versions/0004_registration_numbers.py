"""Registration numbers are unique within a municipality: one row per number, written with the
event that gives it.

The recorder inserts the number in the same transaction as the ``AppealRegistered`` event, so two
appeals of one municipality can never take one number, whether a clerk types it or the sequence
issues it, and bulk loads record theirs too. Numbers already in the log are loaded here, decoded
in Python (the first appeal to take a number keeps it; a NUL an older version let through is
dropped from the key).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import json

import sqlalchemy as sa

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE registration_numbers (
            municipality text NOT NULL,  -- '' for the deployment's default municipality
            number text NOT NULL,
            appeal_id uuid NOT NULL,
            PRIMARY KEY (municipality, number)
        );
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'otklik_app') THEN
                EXECUTE 'GRANT SELECT, INSERT ON registration_numbers TO otklik_app';
            END IF;
        END
        $$;
        """
    )
    _load_numbers_already_in_the_log()


def _load_numbers_already_in_the_log() -> None:
    # Decoded here, not with PostgreSQL's jsonb: an old event may hold a NUL (\u0000), which
    # jsonb refuses, and a text may hold the six characters "\u0000" themselves.
    bind = op.get_bind()
    query = sa.text(
        "SELECT originator_id, topic, state FROM otklik_events"
        " WHERE topic LIKE 'AppealReceived%' OR topic LIKE 'AppealRegistered%'"
        " ORDER BY notification_id"
    ).execution_options(stream_results=True, yield_per=5000)
    stored = bind.execute(query)
    municipality: dict[str, str] = {}
    rows: dict[tuple[str, str], str] = {}
    for originator_id, topic, state in stored:
        body = json.loads(bytes(state))
        appeal = str(originator_id)
        if topic.startswith("AppealReceived"):
            municipality[appeal] = body.get("municipality") or ""
        elif isinstance(body.get("registration_number"), str):
            number = body["registration_number"].replace("\x00", "")
            rows.setdefault((municipality.get(appeal, ""), number), appeal)  # the first keeps it
    if rows:
        bind.execute(
            sa.text(
                "INSERT INTO registration_numbers (municipality, number, appeal_id)"
                " VALUES (:municipality, :number, CAST(:appeal_id AS uuid))"
            ),
            [{"municipality": m, "number": n, "appeal_id": a} for (m, n), a in rows.items()],
        )


def downgrade() -> None:
    op.execute("DROP TABLE registration_numbers")
