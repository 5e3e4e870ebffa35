"""Idempotency records name the stream, not only an appeal: every stream's commands (claims,
calendars, policies, methodologies, the audit trail, reactors' commands) go through one handler
that saves the record with its events.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE idempotency_keys RENAME COLUMN appeal_id TO stream_id")


def downgrade() -> None:
    op.execute("ALTER TABLE idempotency_keys RENAME COLUMN stream_id TO appeal_id")
