"""Ratings from the appeals view: each unit's indicators for a period, aggregated in SQL, then
scored and ranked by the methodology (``domain/ratings/score.py``). The result is kept in memory
for the view's position, so a portal's repeated question costs a dictionary lookup, and a new
appeal event (a new position) recomputes it.

Which appeals count for a period: those whose first answer was published in the period (volume,
timing, completeness, satisfaction, repeats), and for ``overdue`` those whose answer deadline fell
in the period unmet (answered late, or not yet). Period bounds are local midnights."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, time, timedelta
from time import monotonic as time_monotonic
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from psycopg_pool import ConnectionPool

from domain.organisation.directory import Directory
from domain.ratings.methodology import Indicator, Methodology, Scope, StaffScores
from domain.ratings.score import Period, RatedUnit, UnitFigures, rate
from projections import rated_units
from projections.appeals import AppealsProjection
from projections.engine.model import reading, view_position

# The municipality is the appeal's own; every other scope's unit comes from the directory in
# force for the period (``rated_units``), joined as a mapping from the recorded department.
BY_MUNICIPALITY = "coalesce(municipality, '')"
BY_DIRECTORY = "m.m_unit"
_MAPPING = """
    JOIN unnest(%(recorded)s::text[], %(units)s::text[]) AS m(m_recorded, m_unit)
      ON m.m_recorded = a.department"""
_FIGURES_SQL = """
    WITH counted AS (
        SELECT {unit} AS unit, a.*,
               first_answered_at >= %(start)s AND first_answered_at < %(end)s AS answered,
               extract(epoch FROM first_answered_at - coalesce(registered_at, received_at))
                   / 3600 AS hours
        FROM appeals a{join}
        WHERE {unit} IS NOT NULL
          AND ((first_answered_at >= %(start)s AND first_answered_at < %(end)s)
               OR (answer_due >= %(start)s AND answer_due < %(end)s))
    )
    SELECT unit,
           count(*) FILTER (WHERE answered),
           count(*) FILTER (WHERE answered AND first_answered_at < answer_due),
           avg(hours) FILTER (WHERE answered),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) FILTER (WHERE answered),
           count(*) FILTER (WHERE answer_due >= %(start)s AND answer_due < %(end)s
                            AND (first_answered_at IS NULL OR first_answered_at >= answer_due)),
           count(*) FILTER (WHERE answered AND rework_count = 0 AND reopen_count = 0
                            AND NOT is_repeat),
           count(*) FILTER (WHERE answered AND {score} >= 4),
           count({score}) FILTER (WHERE answered),
           avg({score}) FILTER (WHERE answered),
           count(*) FILTER (WHERE answered AND is_repeat)
    FROM counted GROUP BY unit ORDER BY unit
"""


# issue 17: the appeals view's column each way of counting staff-typed scores reads
SCORE_COLUMN = {
    StaffScores.COUNT: "satisfaction_score",  # the last score given, whoever gave it
    StaffScores.IGNORE: "citizen_score",
    StaffScores.WHEN_NO_CITIZEN_SCORE: "preferred_score",
}
POSITION_TTL = 0.5


class Rating(msgspec.Struct, frozen=True, kw_only=True):
    period: str
    scope: Scope
    methodology: str  # id/version
    as_reported: bool  # the methodology in force for the period
    position: int  # the appeals view's log position the figures are from
    units: list[RatedUnit]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


def _figures(row: tuple[Any, ...]) -> UnitFigures:
    unit, volume, on_time, average, median, overdue, complete, satisfied, rated, score, repeats = (
        row
    )
    return UnitFigures(
        unit=str(unit),
        values={
            Indicator.VOLUME: float(volume),
            Indicator.ON_TIME_SHARE: _share(on_time, volume),
            Indicator.AVERAGE_HOURS: None if average is None else round(float(average), 4),
            Indicator.MEDIAN_HOURS: None if median is None else round(float(median), 4),
            Indicator.OVERDUE: float(overdue),
            Indicator.COMPLETENESS: _share(complete, volume),
            Indicator.SATISFACTION_SHARE: _share(satisfied, rated),
            Indicator.AVERAGE_SCORE: None if score is None else round(float(score), 4),
            Indicator.REPEAT_SHARE: _share(repeats, volume),
        },
    )


class RatingQueries:
    def __init__(
        self,
        pool: ConnectionPool,
        timezone: str,
        cache_size: int = 512,
        directory: Callable[[], Directory] = Directory,
    ) -> None:
        self.pool = pool
        self.directory = directory  # the administration, read as of each period
        self.zone = ZoneInfo(timezone)
        self._cache: OrderedDict[tuple[Any, ...], Rating] = OrderedDict()
        self._lock = threading.Lock()
        self.cache_size = cache_size
        self._position: tuple[float, int] | None = None

    def position(self) -> int:
        """The appeals view's position, read at most every ``POSITION_TTL`` seconds (a portal's
        question in between is answered from memory: the ETag lags the view by that much)."""
        now = time_monotonic()
        if self._position is not None and now - self._position[0] < POSITION_TTL:
            return self._position[1]
        with reading(self.pool, AppealsProjection.name) as conn:
            position = view_position(conn, AppealsProjection.name) or 0
        self._position = (now, position)
        return position

    def figures(
        self, period: Period, scope: Scope, staff_scores: StaffScores = StaffScores.COUNT
    ) -> list[UnitFigures]:
        params: dict[str, Any] = {
            "start": datetime.combine(period.first, time(0), tzinfo=self.zone),
            "end": datetime.combine(period.end, time(0), tzinfo=self.zone),
        }
        score = SCORE_COLUMN[staff_scores]
        if scope is Scope.MUNICIPALITY:
            sql = _FIGURES_SQL.format(unit=BY_MUNICIPALITY, join="", score=score)
        else:
            sql = _FIGURES_SQL.format(unit=BY_DIRECTORY, join=_MAPPING, score=score)
        with reading(self.pool, AppealsProjection.name) as conn:
            if scope is not Scope.MUNICIPALITY:
                recorded = conn.execute(
                    "SELECT DISTINCT department FROM appeals WHERE department IS NOT NULL"
                ).fetchall()
                params["recorded"], params["units"] = rated_units.mapping(
                    self.directory(),
                    [str(r[0]) for r in recorded],
                    scope,
                    period.end - timedelta(days=1),
                )
            rows = conn.execute(sql, params).fetchall()
        return [_figures(r) for r in rows]

    def by_unit(self, counts: dict[str, int], scope: Scope, period: Period) -> dict[str, int]:
        """Counts kept by the recorded department, added up by the unit each counts under."""
        directory = self.directory()
        at = period.end - timedelta(days=1)
        summed: dict[str, int] = {}
        for recorded, count in counts.items():
            unit = rated_units.unit_of(directory, recorded, scope, at)
            if unit is not None:
                summed[unit] = summed.get(unit, 0) + count
        return summed

    def named(self, units: list[RatedUnit], period: Period) -> list[RatedUnit]:
        """Each unit with the name in force at the period's end and its former names."""
        directory = self.directory()
        named = []
        for unit in units:
            name, former = rated_units.shown_as(
                directory, unit.unit, period.end - timedelta(days=1)
            )
            named.append(msgspec.structs.replace(unit, name=name, former_names=former))
        return named

    def rating(
        self, methodology: Methodology, period: Period, scope: Scope, *, as_reported: bool
    ) -> Rating:
        position = self.position()
        key = (methodology.label, period.label, scope, position)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        rating = Rating(
            period=period.label,
            scope=scope,
            methodology=methodology.label,
            as_reported=as_reported,
            position=position,
            units=self.named(
                rate(methodology, self.figures(period, scope, methodology.staff_scores)), period
            ),
        )
        with self._lock:
            self._cache[key] = rating
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return rating
