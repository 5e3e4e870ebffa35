"""Reactors run on the projection engine, in the same registry of builds as the views (their
builds have no tables); a reactor with a timer records when it last ticked, for the status.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE projection_builds ADD COLUMN ticked_at timestamptz")


def downgrade() -> None:
    op.execute("ALTER TABLE projection_builds DROP COLUMN ticked_at")
