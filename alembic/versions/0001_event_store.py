"""The event store: eventsourcing's events table (append-only), idempotency keys, tokens.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The same layout eventsourcing's PostgresApplicationRecorder creates for the application
    # named "Otklik" (table otklik_events), so the library reads and writes it unchanged.
    op.execute(
        """
        CREATE TYPE stored_event_uuid AS (
            originator_id uuid, originator_version bigint, topic text, state bytea);

        CREATE TABLE otklik_events (
            originator_id uuid NOT NULL,
            originator_version bigint NOT NULL,
            topic text,
            state bytea,
            notification_id bigserial,
            PRIMARY KEY (originator_id, originator_version)
        ) WITH (
            autovacuum_enabled = true,
            autovacuum_vacuum_threshold = 100000000,
            autovacuum_vacuum_scale_factor = 0.5,
            autovacuum_analyze_threshold = 1000,
            autovacuum_analyze_scale_factor = 0.01
        );
        CREATE UNIQUE INDEX otklik_events_notification_id_idx
            ON otklik_events (notification_id ASC);

        -- Events are forever: the table refuses UPDATE, DELETE and TRUNCATE for everyone,
        -- owner included (only a superuser who disables the triggers can alter history, and
        -- the audit hash chain is there to show it).
        CREATE FUNCTION otklik_refuse_history_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the event log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END
        $$;
        CREATE TRIGGER otklik_events_refuse_update_delete
            BEFORE UPDATE OR DELETE ON otklik_events
            FOR EACH ROW EXECUTE FUNCTION otklik_refuse_history_change();
        CREATE TRIGGER otklik_events_refuse_truncate
            BEFORE TRUNCATE ON otklik_events
            FOR EACH STATEMENT EXECUTE FUNCTION otklik_refuse_history_change();

        -- Saved in the same transaction as the events a command produced.
        CREATE TABLE idempotency_keys (
            principal text NOT NULL,
            key text NOT NULL,
            fingerprint text NOT NULL,
            appeal_id uuid NOT NULL,
            version bigint NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (principal, key)
        );

        CREATE SEQUENCE registration_number_seq;

        -- Bearer tokens: only the SHA-256 of a token is stored; the token is shown once.
        CREATE TABLE api_tokens (
            id uuid PRIMARY KEY,
            name text NOT NULL,
            role text NOT NULL,
            department text,
            token_hash bytea NOT NULL UNIQUE,
            created_at timestamptz NOT NULL DEFAULT now(),
            revoked_at timestamptz
        );

        -- The role an application server logs in as (or is granted) where roles are used:
        -- it may read and append events, and holds no UPDATE, DELETE or TRUNCATE on them.
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'otklik_app') THEN
                CREATE ROLE otklik_app NOLOGIN;
            END IF;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'cannot create role otklik_app; grant privileges by hand';
        END
        $$;
        DO $$
        BEGIN
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'otklik_app') THEN
                EXECUTE 'GRANT SELECT, INSERT ON otklik_events TO otklik_app';
                EXECUTE 'REVOKE UPDATE, DELETE, TRUNCATE ON otklik_events FROM otklik_app';
                EXECUTE 'GRANT USAGE ON SEQUENCE otklik_events_notification_id_seq TO otklik_app';
                EXECUTE 'GRANT USAGE ON SEQUENCE registration_number_seq TO otklik_app';
                EXECUTE 'GRANT SELECT, INSERT ON idempotency_keys TO otklik_app';
                EXECUTE 'GRANT SELECT ON api_tokens TO otklik_app';
            END IF;
        END
        $$;
        """
    )


def downgrade() -> None:
    raise RuntimeError("the event store is never dropped by a migration")
