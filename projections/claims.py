"""The misinformation-response view: one row per claim — status, verdict, department, reach,
urgency, when it was detected, assessed, refuted, closed, its norms and breaches, resurfacings —
with its words indexed for recognising the claim when it comes back (PostgreSQL full-text search,
the ``russian`` configuration: stems, stop words removed; no extension needed).

Matching: a new post's lexemes find candidate claims through the GIN index (any shared lexeme),
and each candidate is scored in SQL by how much of the post the claim's vocabulary covers and
how much of the claim the post covers (the harmonic mean of the two containments, 0..1)."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from psycopg_pool import ConnectionPool

from domain.claims import events as ev
from domain.claims.state import ClaimState, evolve
from projections.engine.fold import fold_batch
from projections.engine.model import Batch, reading

_COLUMNS = (
    "claim_id",
    "status",
    "verdict",
    "department",
    "topic",
    "text",
    "words",
    "urgent",
    "reach",
    "detected_at",
    "verdict_at",
    "verdict_due",
    "published_at",
    "refutation_due",
    "closed_at",
    "resurfaced",
    "breaches",
    "refutation",
    "published_urls",
    "source_urls",
    "first_seen",
    "version",
)


def row_of(state: ClaimState) -> tuple[Any, ...]:
    words = " ".join([state.text, *(s.text for s in state.sources if s.text)])
    return (
        state.id,
        state.status.value,
        state.verdict.value if state.verdict else None,
        state.department,
        state.topic,
        state.text,
        words,
        state.urgent,
        state.reach,
        state.detected_at,  # the upsert keeps the times an older version let through readable
        state.verdict_at,
        state.verdict_due,
        state.first_published_at,
        state.refutation_due,
        state.closed_at,
        state.resurfaced,
        [b.value for b in state.breaches],
        state.refutation,
        list(state.published_urls),
        [s.url for s in state.sources],
        min(s.first_seen for s in state.sources),
        state.version,
    )


class ClaimsProjection:
    name = "claims"
    version = 2  # 2: times clamped to what PostgreSQL reads back (an old log's year 1 or 9999)
    topics = frozenset(cls.__name__ for cls in ev.CLAIM_EVENT_TYPES)
    tables = ("claims",)
    ddl = """
        CREATE TABLE {claims} (
            claim_id uuid PRIMARY KEY,
            status text NOT NULL,
            verdict text,
            department text,
            topic text,
            text text NOT NULL,
            words text NOT NULL,
            search tsvector GENERATED ALWAYS AS (to_tsvector('russian', words)) STORED,
            urgent boolean NOT NULL,
            reach bigint NOT NULL,
            detected_at timestamptz NOT NULL,
            verdict_at timestamptz,
            verdict_due timestamptz NOT NULL,
            published_at timestamptz,
            refutation_due timestamptz NOT NULL,
            closed_at timestamptz,
            resurfaced integer NOT NULL,
            breaches text[] NOT NULL,
            refutation text,
            published_urls text[] NOT NULL,
            source_urls text[] NOT NULL,
            first_seen timestamptz NOT NULL,
            version integer NOT NULL
        );
    """
    indexes = """
        CREATE INDEX IF NOT EXISTS {claims}_search ON {claims} USING gin (search);
        CREATE INDEX IF NOT EXISTS {claims}_detected ON {claims} (detected_at, claim_id);
    """

    def apply(self, batch: Batch) -> None:
        touched = fold_batch(batch, ev.ClaimEvent, evolve)
        if touched:
            rows = (row_of(state) for state, _ in touched.values())
            batch.upsert("claims", _COLUMNS, rows, key=("claim_id",))


class ClaimSummary(msgspec.Struct, frozen=True, kw_only=True):
    claim_id: UUID
    status: str
    verdict: str | None
    department: str | None
    topic: str | None
    text: str
    urgent: bool
    reach: int
    detected_at: datetime
    verdict_at: datetime | None
    verdict_due: datetime
    published_at: datetime | None
    refutation_due: datetime
    closed_at: datetime | None
    resurfaced: int
    breaches: builtins.list[str]
    published_urls: builtins.list[str]
    source_urls: builtins.list[str]
    first_seen: datetime
    refutation: str | None
    version: int


class Match(msgspec.Struct, frozen=True, kw_only=True):
    claim_id: UUID
    similarity: float  # 0..1
    status: str
    verdict: str | None
    text: str
    refutation: str | None  # the answer to give again
    published_urls: builtins.list[str]


_SUMMARY_FIELDS = ClaimSummary.__struct_fields__
# chosen on the Russian test set (tests/data/claims_matching.py): precision 1.0, recall 0.87
MATCH_THRESHOLD = 0.55

# the post's lexemes and the claim's, as sets; similarity = harmonic mean of the two containments
MATCH_SQL = """
    WITH post AS (
        SELECT tsvector_to_array(to_tsvector('russian', %(text)s)) AS words
    ), candidates AS (
        SELECT c.*, post.words AS post_words, tsvector_to_array(c.search) AS claim_words
        FROM claims c, post
        WHERE cardinality(post.words) > 0
          AND c.search @@ to_tsquery('simple', array_to_string(post.words, ' | '))
    ), scored AS (
        SELECT *, cardinality(ARRAY(
            SELECT unnest(post_words) INTERSECT SELECT unnest(claim_words))) AS shared
        FROM candidates
    )
    SELECT claim_id, status, verdict, text, refutation, published_urls,
           CASE WHEN shared = 0 THEN 0 ELSE
             2.0 * (shared::float / cardinality(post_words)) * (shared::float / cardinality(claim_words))
             / ((shared::float / cardinality(post_words)) + (shared::float / cardinality(claim_words)))
           END AS similarity
    FROM scored ORDER BY similarity DESC, detected_at DESC LIMIT %(limit)s
"""


class ClaimQueries:
    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def match(self, text: str, *, threshold: float, limit: int = 5) -> builtins.list[Match]:
        """Known claims whose words the post shares, best first, at or above ``threshold``."""
        with reading(self.pool, ClaimsProjection.name) as conn:
            rows = conn.execute(MATCH_SQL, {"text": text, "limit": max(limit, 1) * 4}).fetchall()
        found = [
            Match(
                claim_id=r[0],
                status=r[1],
                verdict=r[2],
                text=r[3],
                refutation=r[4],
                published_urls=list(r[5]),
                similarity=round(float(r[6]), 4),
            )
            for r in rows
        ]
        return [m for m in found if m.similarity >= threshold][:limit]

    def one(self, claim_id: UUID) -> ClaimSummary | None:
        query = f"SELECT {', '.join(_SUMMARY_FIELDS)} FROM claims WHERE claim_id = %s"
        with reading(self.pool, ClaimsProjection.name) as conn:
            row = conn.execute(query, (claim_id,)).fetchone()
        return ClaimSummary(**dict(zip(_SUMMARY_FIELDS, row, strict=True))) if row else None

    def list(
        self,
        *,
        status: str | None = None,
        department: str | None = None,
        verdict: str | None = None,
        before: datetime | None = None,
        published: bool | None = None,
        limit: int = 100,
    ) -> builtins.list[ClaimSummary]:
        clauses = ["TRUE"]
        if published is not None:
            clauses.append("published_at IS NOT NULL" if published else "published_at IS NULL")
        params: dict[str, Any] = {"limit": limit}
        for column, value in (("status", status), ("department", department), ("verdict", verdict)):
            if value is not None:
                clauses.append(f"{column} = %({column})s")
                params[column] = value
        if before is not None:
            clauses.append("detected_at < %(before)s")
            params["before"] = before
        query = (
            f"SELECT {', '.join(_SUMMARY_FIELDS)} FROM claims WHERE {' AND '.join(clauses)}"
            " ORDER BY detected_at DESC, claim_id LIMIT %(limit)s"
        )
        with reading(self.pool, ClaimsProjection.name) as conn:
            rows = conn.execute(query, params).fetchall()
        return [ClaimSummary(**dict(zip(_SUMMARY_FIELDS, r, strict=True))) for r in rows]


def breach_candidates(pool: ConnectionPool, now: datetime) -> builtins.list[tuple[UUID, str]]:
    """Open claims with a response norm past due, unmet, whose breach is not yet recorded."""
    with reading(pool, ClaimsProjection.name) as conn:
        rows = conn.execute(
            """
            SELECT claim_id, 'verdict' FROM claims
            WHERE status <> 'closed' AND verdict_at IS NULL AND verdict_due < %(now)s
              AND NOT 'verdict' = ANY(breaches)
            UNION ALL
            SELECT claim_id, 'refutation' FROM claims
            WHERE status <> 'closed' AND published_at IS NULL AND refutation_due < %(now)s
              AND (verdict IS NULL OR verdict IN ('false', 'misleading'))
              AND NOT 'refutation' = ANY(breaches)
            LIMIT 1000
            """,
            {"now": now},
        ).fetchall()
    return [(r[0], r[1]) for r in rows]
