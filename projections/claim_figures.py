"""The misinformation figures, read from the claims view: how many claims, how fast verdicts and
refutations came (median, 90th percentile, the share within the norm), what is open by age and
reach, what resurfaced, by department."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from psycopg_pool import ConnectionPool

from projections.claims import ClaimsProjection
from projections.engine.model import reading, view_position


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
    by_department: list[DepartmentFigures]
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
