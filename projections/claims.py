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
from projections.engine.model import Batch, reading, view_position

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


class Spread(msgspec.Struct, frozen=True, kw_only=True):
    count: int
    median_hours: float | None
    p90_hours: float | None
    within_norm_share: float | None  # of those met or past due, the share met on time


class DepartmentFigures(msgspec.Struct, frozen=True, kw_only=True):
    department: str
    claims: int
    open: int
    verdict: Spread
    refutation: Spread


class MisinformationSummary(msgspec.Struct, frozen=True, kw_only=True):
    since: datetime | None
    until: datetime | None
    as_of: datetime
    claims: int
    urgent: int
    verdicts: dict[str, int]
    verdict: Spread  # detection → verdict
    refutation: Spread  # detection → published refutation (false or misleading claims)
    open: int
    open_by_age: dict[str, int]  # "<1d", "1-3d", "3-7d", ">7d"
    open_by_reach: dict[str, int]  # "<1k", "1k-10k", ">=10k"
    recurring: int  # claims that resurfaced at least once
    resurfacings: int
    by_department: builtins.list[DepartmentFigures]
    position: int


_SPREAD = """
    count({met}) FILTER (WHERE {scope}),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM {met} - detected_at) / 3600)
        FILTER (WHERE {scope}),
    percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM {met} - detected_at) / 3600)
        FILTER (WHERE {scope}),
    count(*) FILTER (WHERE {scope} AND {met} <= {due}),
    count(*) FILTER (WHERE {scope} AND ({met} IS NOT NULL OR {due} < %(now)s))
"""
_VERDICT = _SPREAD.format(met="verdict_at", due="verdict_due", scope="TRUE")
_REFUTATION = _SPREAD.format(
    met="published_at", due="refutation_due", scope="verdict IN ('false', 'misleading')"
)
_SUMMARY_SQL = (
    "SELECT coalesce(department, '—'), count(*), count(*) FILTER (WHERE status <> 'closed'),"
    + _VERDICT
    + ","
    + _REFUTATION
    + " FROM claims WHERE {where} GROUP BY ROLLUP (coalesce(department, '—'))"
    " ORDER BY GROUPING(coalesce(department, '—')) DESC, 1"
)


def _spread(values: tuple[Any, ...]) -> Spread:
    n, median, p90, on_time, judged = values
    return Spread(
        count=int(n),
        median_hours=round(float(median), 2) if median is not None else None,
        p90_hours=round(float(p90), 2) if p90 is not None else None,
        within_norm_share=round(on_time / judged, 4) if judged else None,
    )


def summary(
    pool: ConnectionPool,
    *,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
    department: str | None = None,
) -> MisinformationSummary:
    """The headline figures of the claims detected in [since, until)."""
    clauses = ["TRUE"]
    params: dict[str, Any] = {"now": now, "since": since, "until": until, "department": department}
    if since is not None:
        clauses.append("detected_at >= %(since)s")
    if until is not None:
        clauses.append("detected_at < %(until)s")
    if department is not None:
        clauses.append("department = %(department)s")
    where = " AND ".join(clauses)
    with reading(pool, ClaimsProjection.name) as conn:
        tracked = view_position(conn, ClaimsProjection.name)
        groups = conn.execute(_SUMMARY_SQL.format(where=where), params).fetchall()
        head = conn.execute(
            f"""SELECT count(*) FILTER (WHERE urgent),
                count(*) FILTER (WHERE resurfaced > 0), coalesce(sum(resurfaced), 0),
                count(*) FILTER (WHERE status <> 'closed' AND %(now)s - detected_at < interval '1 day'),
                count(*) FILTER (WHERE status <> 'closed' AND %(now)s - detected_at >= interval '1 day'
                                 AND %(now)s - detected_at < interval '3 days'),
                count(*) FILTER (WHERE status <> 'closed' AND %(now)s - detected_at >= interval '3 days'
                                 AND %(now)s - detected_at < interval '7 days'),
                count(*) FILTER (WHERE status <> 'closed' AND %(now)s - detected_at >= interval '7 days'),
                count(*) FILTER (WHERE status <> 'closed' AND reach < 1000),
                count(*) FILTER (WHERE status <> 'closed' AND reach >= 1000 AND reach < 10000),
                count(*) FILTER (WHERE status <> 'closed' AND reach >= 10000)
            FROM claims WHERE {where}""",
            params,
        ).fetchone()
        verdicts = dict(
            conn.execute(
                f"SELECT coalesce(verdict, 'none'), count(*) FROM claims WHERE {where} GROUP BY 1",
                params,
            ).fetchall()
        )
    assert head is not None
    total = groups[0] if groups else None
    departments = [
        DepartmentFigures(
            department=g[0],
            claims=int(g[1]),
            open=int(g[2]),
            verdict=_spread(g[3:8]),
            refutation=_spread(g[8:13]),
        )
        for g in groups[1:]
    ]
    empty = (0, None, None, 0, 0)
    return MisinformationSummary(
        since=since,
        until=until,
        as_of=now,
        claims=int(total[1]) if total else 0,
        urgent=int(head[0]),
        verdicts={str(k): int(v) for k, v in verdicts.items()},
        verdict=_spread(total[3:8] if total else empty),
        refutation=_spread(total[8:13] if total else empty),
        open=int(total[2]) if total else 0,
        open_by_age=dict(zip(("<1d", "1-3d", "3-7d", ">7d"), map(int, head[3:7]), strict=True)),
        open_by_reach=dict(zip(("<1k", "1k-10k", ">=10k"), map(int, head[7:10]), strict=True)),
        recurring=int(head[1]),
        resurfacings=int(head[2]),
        by_department=departments,
        position=tracked or 0,
    )


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
