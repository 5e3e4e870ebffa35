"""Reports from the read models: the monthly KPI report (per department and for the
municipality), summaries in slices, hot topics and workload. Each is a ``Table``: titled
columns (Russian, as the head of the administration and the regional ЦУР read them), rows, and
a stamp of what it was built from — the methodology and the view's log position — so a figure
in a report can always be traced and rebuilt."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from psycopg_pool import ConnectionPool

from domain.ratings.methodology import Indicator, Methodology, Scope
from domain.ratings.score import Period, RatedUnit
from domain.rubricator.state import Rubricator
from projections import topic_keys
from projections.appeals import AppealsProjection
from projections.engine.model import reading
from projections.ratings import RatingQueries


class Column(msgspec.Struct, frozen=True, kw_only=True):
    key: str  # the JSON field
    title: str  # the heading a person reads


class Table(msgspec.Struct, frozen=True, kw_only=True):
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    stamp: dict[str, Any]  # methodology, position, period, generated_at


KPI_COLUMNS = [
    Column(key="unit", title="Подразделение"),
    Column(key="received", title="Поступило"),
    Column(key="answered", title="Дан ответ"),
    Column(key="on_time_share", title="Доля ответов в срок"),
    Column(key="overdue", title="Просрочено"),
    Column(key="median_hours", title="Медиана срока ответа, ч"),
    Column(key="completeness", title="Доля ответов по существу"),
    Column(key="satisfaction_share", title="Доля оценок 4–5"),
    Column(key="average_score", title="Средняя оценка"),
    Column(key="repeat_share", title="Доля повторных"),
    Column(key="score", title="Балл рейтинга"),
    Column(key="rank", title="Место"),
]
SLICES = {
    "channel": "channel",
    "kind": "kind",
    "topic": "coalesce(topic, '—')",
    "department": "coalesce(department, '—')",
    "sector": "coalesce(sector, '—')",
    "month": "to_char(received_at AT TIME ZONE %(zone)s, 'YYYY-MM')",
}
SLICE_TITLES = {
    "channel": "Канал",
    "kind": "Вид",
    "topic": "Тема",
    "department": "Подразделение",
    "sector": "Сектор",
    "month": "Месяц",
}


def _kpi_row(name: str, received: int, unit: RatedUnit) -> dict[str, Any]:
    values = unit.indicators
    return {
        "unit": name,
        "received": int(received),
        "answered": unit.volume,
        "on_time_share": values.get(Indicator.ON_TIME_SHARE.value),
        "overdue": int(values.get(Indicator.OVERDUE.value) or 0),
        "median_hours": values.get(Indicator.MEDIAN_HOURS.value),
        "completeness": values.get(Indicator.COMPLETENESS.value),
        "satisfaction_share": values.get(Indicator.SATISFACTION_SHARE.value),
        "average_score": values.get(Indicator.AVERAGE_SCORE.value),
        "repeat_share": values.get(Indicator.REPEAT_SHARE.value),
        "score": unit.score,
        "rank": unit.rank,
    }


class Reports:
    def __init__(
        self,
        pool: ConnectionPool,
        ratings: RatingQueries,
        timezone: str,
        rubricator: Callable[[], Rubricator] = Rubricator,
    ) -> None:
        self.pool = pool
        self.rubricator = rubricator  # hot topics group by its codes, under the names in force
        self.ratings = ratings
        self.timezone = timezone
        self.zone = ZoneInfo(timezone)

    def _bounds(self, first: date, end: date) -> dict[str, Any]:
        return {
            "start": datetime.combine(first, time(0), tzinfo=self.zone),
            "end": datetime.combine(end, time(0), tzinfo=self.zone),
            "zone": self.timezone,
        }

    def _stamp(self, **fields: Any) -> dict[str, Any]:
        return {
            "position": self.ratings.position(),
            "generated_at": datetime.now(self.zone),
            **fields,
        }

    def kpi(self, methodology: Methodology, period: Period) -> Table:
        """The monthly KPI report: per department, per municipal institution (each ranked among
        its kind) and for the municipality as a whole; units under their names for the period."""
        params = self._bounds(period.first, period.end)
        with reading(self.pool, AppealsProjection.name) as conn:
            received = dict(
                conn.execute(
                    "SELECT coalesce(department, '—'), count(*) FROM appeals"
                    " WHERE received_at >= %(start)s AND received_at < %(end)s GROUP BY 1",
                    params,
                ).fetchall()
            )
        rows = []
        for scope in (Scope.DEPARTMENT, Scope.INSTITUTION):
            rating = self.ratings.rating(methodology, period, scope, as_reported=True)
            came = self.ratings.by_unit(received, scope, period)
            rows += [_kpi_row(u.name or u.unit, came.get(u.unit, 0), u) for u in rating.units]
        municipal = self.ratings.rating(methodology, period, Scope.MUNICIPALITY, as_reported=True)
        # the total line for a deployment serving one municipality (several: see by municipality)
        if len(municipal.units) == 1:
            total = _kpi_row(
                "Муниципальное образование, всего", sum(received.values()), municipal.units[0]
            )
            rows.append({**total, "score": None, "rank": None})
        return Table(
            title=f"Ежемесячный отчёт о работе с обращениями за {period.label}",
            columns=KPI_COLUMNS,
            rows=rows,
            stamp=self._stamp(methodology=methodology.label, period=period.label),
        )

    def summary(self, by: list[str], first: date, end: date) -> Table:
        """Counts in slices (any of channel, kind, topic, department, sector, month) of the
        appeals received in [first, end)."""
        unknown = [b for b in by if b not in SLICES]
        if unknown or not by:
            raise ValueError(f"slices are any of {', '.join(SLICES)}; not {', '.join(unknown)}")
        keys = ", ".join(f"{SLICES[b]} AS {b}" for b in by)
        query = f"""
            SELECT {keys}, count(*) AS received,
                   count(first_answered_at) AS answered,
                   count(*) FILTER (WHERE first_answered_at < answer_due) AS on_time,
                   count(*) FILTER (WHERE answer_due < now() AND (first_answered_at IS NULL
                                    OR first_answered_at >= answer_due)) AS overdue,
                   round(avg(satisfaction_score), 2) AS average_score
            FROM appeals WHERE received_at >= %(start)s AND received_at < %(end)s
            GROUP BY {", ".join(str(i + 1) for i in range(len(by)))}
            ORDER BY {", ".join(str(i + 1) for i in range(len(by)))}
        """
        with reading(self.pool, AppealsProjection.name) as conn:
            cursor = conn.execute(query, self._bounds(first, end))
            names = [d.name for d in cursor.description or []]
            rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        for row in rows:
            row["average_score"] = (
                float(row["average_score"]) if row["average_score"] is not None else None
            )
        columns = [Column(key=b, title=SLICE_TITLES[b]) for b in by] + [
            Column(key="received", title="Поступило"),
            Column(key="answered", title="Дан ответ"),
            Column(key="on_time", title="В срок"),
            Column(key="overdue", title="Просрочено"),
            Column(key="average_score", title="Средняя оценка"),
        ]
        return Table(
            title=f"Сводка обращений с {first:%d.%m.%Y} по {end - timedelta(days=1):%d.%m.%Y}",
            columns=columns,
            rows=rows,
            stamp=self._stamp(slices=by, since=first.isoformat(), until=end.isoformat()),
        )

    def hot_topics(self, weeks: int, today: date) -> Table:
        """Per topic: appeals of each of the last ``weeks`` weeks, the trend (the last week
        against the average of the others), and the share of repeats then and now."""
        monday = today - timedelta(days=today.weekday())
        first = monday - timedelta(weeks=weeks - 1)
        query = """
            SELECT coalesce(topic_code, topic, '—') AS topic,
                   floor(extract(epoch FROM (received_at AT TIME ZONE %(zone)s)
                         - %(first)s::timestamp) / 604800)::int AS week,
                   count(*), count(*) FILTER (WHERE is_repeat)
            FROM appeals WHERE received_at >= %(start)s
            GROUP BY 1, 2
        """
        params = {
            "zone": self.timezone,
            "first": datetime.combine(first, time(0)),
            "start": datetime.combine(first, time(0), tzinfo=self.zone),
        }
        counts: dict[str, list[int]] = {}
        repeats: dict[str, list[int]] = {}
        rubricator = self.rubricator()
        with reading(self.pool, AppealsProjection.name) as conn:
            for recorded, week, n, repeated in conn.execute(query, params).fetchall():
                topic = topic_keys.key_of(rubricator, recorded)
                if 0 <= week < weeks:
                    counts.setdefault(topic, [0] * weeks)[week] += n
                    repeats.setdefault(topic, [0] * weeks)[week] += repeated
        rows: list[dict[str, Any]] = []
        trends: dict[str, tuple[float, int]] = {}
        for key, series in counts.items():
            topic, code = topic_keys.shown(rubricator, key, today)
            earlier = series[:-1]
            base = sum(earlier) / len(earlier) if earlier else 0
            last = series[-1]
            rep = repeats[key]
            trend = round((last - base) / base, 3) if base else None
            trends[key] = (trend if trend is not None else -1e9, sum(series))
            rows.append(
                {
                    "topic": topic,
                    "code": code,
                    **{f"week_{i + 1}": n for i, n in enumerate(series)},
                    "total": sum(series),
                    "trend": round((last - base) / base, 3) if base else None,
                    "repeat_share_before": round(sum(rep[:-1]) / sum(earlier), 3)
                    if sum(earlier)
                    else None,
                    "repeat_share_last": round(rep[-1] / last, 3) if last else None,
                }
            )
        rows.sort(
            key=lambda r: (
                -(r["trend"] if r["trend"] is not None else -1e9),
                -r["total"],
                r["topic"],
            )
        )
        columns = [Column(key="topic", title="Тема"), Column(key="code", title="Код рубрикатора")]
        columns += [
            Column(key=f"week_{i + 1}", title=f"Неделя с {first + timedelta(weeks=i):%d.%m}")
            for i in range(weeks)
        ]
        columns += [
            Column(key="total", title="Всего"),
            Column(key="trend", title="Рост последней недели к средней"),
            Column(key="repeat_share_before", title="Доля повторных ранее"),
            Column(key="repeat_share_last", title="Доля повторных за неделю"),
        ]
        return Table(
            title=f"Горячие темы за {weeks} нед. по {today:%d.%m.%Y}",
            columns=columns,
            rows=rows,
            stamp=self._stamp(weeks=weeks, since=first.isoformat()),
        )

    def workload(self) -> Table:
        """Open appeals now, per sector and executor, with how many are overdue."""
        query = """
            SELECT coalesce(sector, '—'), coalesce(department, '—'), coalesce(executor, '—'),
                   count(*), count(*) FILTER (WHERE answer_due < now())
            FROM appeals WHERE closed_at IS NULL AND first_answered_at IS NULL
            GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3
        """
        with reading(self.pool, AppealsProjection.name) as conn:
            rows = [
                {"sector": s, "department": d, "executor": e, "open": n, "overdue": o}
                for s, d, e, n, o in conn.execute(query).fetchall()
            ]
        return Table(
            title="Нагрузка: открытые обращения по секторам и исполнителям",
            columns=[
                Column(key="sector", title="Сектор"),
                Column(key="department", title="Подразделение"),
                Column(key="executor", title="Исполнитель"),
                Column(key="open", title="Открыто"),
                Column(key="overdue", title="Из них просрочено"),
            ],
            rows=rows,
            stamp=self._stamp(),
        )
