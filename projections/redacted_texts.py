"""The redacted texts of appeals, keyed by appeal, source event and field, with a Russian full-text
index: what hot topics, search, claim matching and reports may read of what citizens wrote. Fed
by ``TextRedacted`` only, never by the originals, so erasing an original changes no row here."""

from __future__ import annotations

import builtins
from uuid import UUID

import msgspec
from psycopg_pool import ConnectionPool

from domain.privacy.erasure import PersonalDataErased
from domain.redaction.events import TextRedacted
from projections.engine.model import Batch, reading


class RedactedTextsProjection:
    name = "redacted_texts"
    version = 1
    topics = frozenset({"TextRedacted", "PersonalDataErased"})
    tables = ("redacted_texts",)
    ddl = """
        CREATE TABLE {redacted_texts} (
            appeal_id uuid NOT NULL,
            source_version integer NOT NULL,
            field text NOT NULL,
            position bigint NOT NULL,
            source_type text NOT NULL,
            text text NOT NULL,
            masker text NOT NULL,
            search tsvector GENERATED ALWAYS AS (to_tsvector('russian', text)) STORED,
            PRIMARY KEY (appeal_id, source_version, field)
        );
    """
    indexes = """
        CREATE INDEX IF NOT EXISTS {redacted_texts}_search
            ON {redacted_texts} USING gin (search);
    """

    def apply(self, batch: Batch) -> None:
        rows = [
            (e.appeal_id, e.source_version, e.field, item.position, e.source_type, e.text, e.masker)
            for item in batch.events
            if isinstance(e := item.event, TextRedacted)
        ]
        if rows:
            batch.upsert(
                "redacted_texts", _COLUMNS, rows, key=("appeal_id", "source_version", "field")
            )
        # issue 18: the copies are sealed with their appeal's key; once it is erased they read
        # as the placeholder (as a rebuild reads them), so no row keeps a name the masker missed
        for item in batch.events:
            if isinstance(e := item.event, PersonalDataErased) and e.appeal_ids:
                batch.conn.execute(
                    batch.query("UPDATE {redacted_texts} SET text = %s WHERE appeal_id = ANY(%s)"),
                    (e.placeholder, list(e.appeal_ids)),
                )


_COLUMNS = ("appeal_id", "source_version", "field", "position", "source_type", "text", "masker")


class RedactedText(msgspec.Struct, frozen=True, kw_only=True):
    appeal_id: UUID
    source_version: int
    field: str
    source_type: str
    text: str


class RedactedTextQueries:
    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def of_appeal(self, appeal_id: UUID) -> builtins.list[RedactedText]:
        """The appeal's redacted texts in the order of its events."""
        query = (
            "SELECT appeal_id, source_version, field, source_type, text FROM redacted_texts"
            " WHERE appeal_id = %s ORDER BY source_version, field"
        )
        with reading(self.pool, RedactedTextsProjection.name) as conn:
            rows = conn.execute(query, (appeal_id,)).fetchall()
        return [RedactedText(**dict(zip(_FIELDS, r, strict=True))) for r in rows]

    def search(self, words: str, *, limit: int = 50) -> builtins.list[RedactedText]:
        """The redacted texts matching ``words`` (Russian stemming; web-search syntax), best
        first: the full-text search analysts get, which never sees an original."""
        query = """
            SELECT appeal_id, source_version, field, source_type, text FROM redacted_texts
            WHERE search @@ websearch_to_tsquery('russian', %(words)s)
            ORDER BY ts_rank(search, websearch_to_tsquery('russian', %(words)s)) DESC,
                     position DESC
            LIMIT %(limit)s
        """
        with reading(self.pool, RedactedTextsProjection.name) as conn:
            rows = conn.execute(query, {"words": words, "limit": limit}).fetchall()
        return [RedactedText(**dict(zip(_FIELDS, r, strict=True))) for r in rows]


_FIELDS = RedactedText.__struct_fields__
