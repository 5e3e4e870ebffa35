"""Accounts and tokens as events: the account stream's decisions save, in their own transaction,
the account's row (``accounts``) and its tokens' rows in ``api_tokens``, which authentication
reads; a token now belongs to an account, expires and records when it was last used (at most once
a minute).

Tokens made before this migration (by ``otklik token create`` with no account) keep working: they
have no account (``account_id`` NULL), act as before (the actor is the token's id, name, role and
department, as their earlier events recorded them), and expire 90 days after the migration, the
default lifetime of a new token, so none lives for ever; until then ``otklik token revoke`` ends
one and ``otklik token list --legacy`` lists them. Their creation was never an event, so neither
is that revocation; a new token for the same holder is issued to an account (``otklik token
create`` makes a service account for the name).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE api_tokens
            ADD COLUMN account_id text,
            ADD COLUMN expires_at timestamptz,
            ADD COLUMN last_used_at timestamptz;
        UPDATE api_tokens SET expires_at = now() + interval '90 days' WHERE revoked_at IS NULL;
        CREATE INDEX api_tokens_by_account ON api_tokens (account_id, created_at);

        -- An account as its last event left it (saved with the events, in their transaction).
        CREATE TABLE accounts (
            id text PRIMARY KEY,
            person_id text,
            name text NOT NULL,
            roles text[] NOT NULL,
            unit_id text,
            opened_at timestamptz NOT NULL,
            disabled_at timestamptz,
            version bigint NOT NULL
        );

        DO $$
        BEGIN
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'otklik_app') THEN
                EXECUTE 'GRANT SELECT, INSERT, UPDATE ON api_tokens TO otklik_app';
                EXECUTE 'GRANT SELECT, INSERT, UPDATE ON accounts TO otklik_app';
            END IF;
        END
        $$;
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP TABLE accounts;
        DROP INDEX api_tokens_by_account;
        ALTER TABLE api_tokens
            DROP COLUMN account_id, DROP COLUMN expires_at, DROP COLUMN last_used_at;
        """
    )
