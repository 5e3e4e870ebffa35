"""Crypto-shredding's key store (issue 18), outside the immutable log: data subjects (a blind index
of their phone or e-mail, nothing else), data keys (one per subject and appeal, wrapped with the
master key), erasures and the ids of the keys they destroyed (so a sealed value whose key is gone
reads as "erased on … under …"). Rows here may be deleted: that is the point.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE privacy_subjects (
            subject_id uuid PRIMARY KEY,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        -- HMAC-SHA256(server secret, normalised phone or e-mail): the same citizen across
        -- appeals is the same subject; a subject found by neither is one appeal's
        CREATE TABLE privacy_subject_index (
            blind_index bytea PRIMARY KEY,
            subject_id uuid NOT NULL REFERENCES privacy_subjects (subject_id) ON DELETE CASCADE
        );
        CREATE INDEX privacy_subject_index_subject ON privacy_subject_index (subject_id);
        -- secrets the server keys things with (the blind index, idempotency fingerprints),
        -- wrapped with the master key like the data keys
        CREATE TABLE privacy_secrets (
            name text PRIMARY KEY,
            master_version text NOT NULL,
            wrapped bytea NOT NULL
        );
        CREATE TABLE privacy_data_keys (
            key_id text PRIMARY KEY,  -- "<master key version at creation>.<uuid hex>"
            subject_id uuid NOT NULL REFERENCES privacy_subjects (subject_id),
            appeal_id uuid,
            master_version text NOT NULL,  -- the master key it is wrapped with now
            wrapped bytea NOT NULL,  -- nonce || AES-GCM(master key, data key, AAD key id)
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE UNIQUE INDEX privacy_data_keys_appeal ON privacy_data_keys (appeal_id);
        CREATE INDEX privacy_data_keys_subject ON privacy_data_keys (subject_id);
        CREATE TABLE privacy_erasures (
            seq bigserial PRIMARY KEY,  -- every process compares its last seen seq (cache)
            erasure_id uuid NOT NULL UNIQUE,
            subject_id uuid NOT NULL,
            appeal_id uuid,  -- NULL: the whole subject
            ground text NOT NULL,
            erased_on date NOT NULL,
            erased_at timestamptz NOT NULL DEFAULT now(),
            erased_by text NOT NULL
        );
        CREATE TABLE privacy_shredded_keys (
            key_id text PRIMARY KEY,
            erasure_id uuid NOT NULL REFERENCES privacy_erasures (erasure_id),
            appeal_id uuid
        );
        """
    )


def downgrade() -> None:
    op.execute(
        "DROP TABLE privacy_shredded_keys, privacy_erasures, privacy_data_keys, privacy_secrets,"
        " privacy_subject_index, privacy_subjects"
    )
