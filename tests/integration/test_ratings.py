"""Ratings against an independent oracle: the v1 indicators of several months of demo data,
computed straight from the raw events with a separate, simple implementation (plain Python over
the events' JSON, no code shared with the view), equal the rating's figures; and a methodology
change leaves the figures of the one in force as they were."""

from __future__ import annotations

import csv
import io
import json
import os
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import psycopg
import pytest

from api.report_formats import render
from domain.organisation.lookup import resolve
from domain.ratings.methodology import Indicator, PublishMethodology, Scope, Weight
from domain.ratings.score import parse_period
from domain.shared.actors import Actor, Role
from infra.container import Container
from infra.database import ConnectionInfo
from infra.demo.appeals import load_demo
from tests.conftest import own_database

pytestmark = pytest.mark.integration
ANALYST = Actor(id="an-1", role=Role.ANALYST, name="Аналитик")


@pytest.fixture(scope="module")
def rated(db_server: ConnectionInfo) -> Iterator[tuple[Container, ConnectionInfo]]:
    with own_database(db_server, "ratings") as (container, info):
        load_demo(container.appeals, 1500, now=datetime.now(UTC), seed=11)
        container.engine.catch_up_all()
        yield container, info


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _retimed_answer(a: dict[str, Any], data: dict[str, Any]) -> None:
    for d in data["deadlines"]:
        if d["deadline"] == "answer":
            a["due"] = _at(d["due"])


def _count(key: str) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    def count(a: dict[str, Any], data: dict[str, Any]) -> None:
        a[key] += 1

    return count


# How each kind of event changes an appeal's record; other kinds leave it as it is.
_FOLD: dict[str, Callable[[dict[str, Any], dict[str, Any]], None]] = {
    "AppealReceived": lambda a, data: a.update(received=_at(data["occurred_at"])),
    "AppealRegistered": lambda a, data: a.update(
        registered=_at(data["occurred_at"]), due=_at(data["answer_due"])
    ),
    # the unit it refers to: its id since the directory (issue 15), else the name recorded
    "AppealAssigned": lambda a, data: a.update(
        department=data.get("unit_id") or data["department"]
    ),
    "DeadlineExtended": lambda a, data: a.update(due=_at(data["new_due"])),
    "AppealResumed": lambda a, data: a.update(due=_at(data["answer_due"])),
    "DeadlinesRetimed": _retimed_answer,
    "AnswerPublished": lambda a, data: a.update(answered=a["answered"] or _at(data["occurred_at"])),
    "AnswerReturnedForRework": _count("reworks"),
    "AppealReopened": _count("reopens"),
    "AppealLinkedAsRepeat": lambda a, data: a.update(repeat=True),
    "SatisfactionRated": lambda a, data: a.update(score=data["score"]),
}


def _appeals(info: ConnectionInfo) -> list[dict[str, Any]]:
    """Each appeal's record, folded from its raw events."""
    appeals: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "department": None,
            "registered": None,
            "received": None,
            "due": None,
            "answered": None,
            "reworks": 0,
            "reopens": 0,
            "repeat": False,
            "score": None,
        }
    )
    with psycopg.connect(info.conninfo) as conn:
        rows = conn.execute(
            "SELECT originator_id, topic, state FROM otklik_events ORDER BY notification_id"
        ).fetchall()
    for originator, topic, state in rows:
        a = appeals[str(originator)]
        handle = _FOLD.get(topic.split("@")[0])
        if handle is not None:
            handle(a, json.loads(bytes(state)))
    return list(appeals.values())


def _tally(a: dict[str, Any], d: dict[str, Any], *, answered: bool, due_here: bool) -> None:
    """Add one appeal to its department's tallies ``d``: ``answered`` or ``due_here`` says
    whether it was answered or due in the period."""
    if due_here and (a["answered"] is None or a["answered"] >= a["due"]):
        d["overdue"] += 1
    if not answered:
        return
    d["volume"] += 1
    d["on_time"] += a["due"] is not None and a["answered"] < a["due"]
    d["hours"].append((a["answered"] - (a["registered"] or a["received"])).total_seconds() / 3600)
    d["complete"] += a["reworks"] == 0 and a["reopens"] == 0 and not a["repeat"]
    d["repeats"] += a["repeat"]
    if a["score"] is not None:
        d["scores"].append(a["score"])


def oracle(info: ConnectionInfo, start: datetime, end: datetime) -> dict[str, dict[str, Any]]:
    """Per department: the v1 indicators, from the events alone."""
    result: dict[str, dict[str, Any]] = {}
    for a in _appeals(info):
        if a["department"] is None or a["received"] is None:
            continue
        answered = a["answered"] is not None and start <= a["answered"] < end
        due_here = a["due"] is not None and start <= a["due"] < end
        if not (answered or due_here):
            continue
        d = result.setdefault(
            a["department"],
            {
                "volume": 0,
                "on_time": 0,
                "hours": [],
                "overdue": 0,
                "complete": 0,
                "scores": [],
                "repeats": 0,
            },
        )
        _tally(a, d, answered=answered, due_here=due_here)
    return result


def test_the_v1_indicators_equal_an_independent_computation_from_the_events(
    rated: tuple[Container, ConnectionInfo],
) -> None:
    container, info = rated
    zone = ZoneInfo(container.settings.timezone)
    with psycopg.connect(info.conninfo) as conn:
        answered = conn.execute(
            "SELECT first_answered_at FROM appeals WHERE first_answered_at IS NOT NULL"
        ).fetchall()
    months = Counter(f"{r[0].astimezone(zone):%Y-%m}" for r in answered)
    checked = 0
    for month, _ in months.most_common(4):
        period = parse_period(month)
        start = datetime.combine(period.first, time(0), tzinfo=zone)
        end = datetime.combine(period.end, time(0), tzinfo=zone)
        expected = oracle(info, start, end)
        # a name recorded without the directory's id counts under the unit it names (issue 15)
        directory = container.directory.directory()
        expected = {resolve(directory, k) or k: v for k, v in expected.items()}
        figures = {f.unit: f.values for f in container.ratings.figures(period, Scope.DEPARTMENT)}
        assert figures.keys() == expected.keys(), month
        for department, e in expected.items():
            got = figures[department]
            volume = e["volume"]
            assert got[Indicator.VOLUME] == volume
            assert got[Indicator.OVERDUE] == e["overdue"]
            if volume:
                assert got[Indicator.ON_TIME_SHARE] == pytest.approx(
                    e["on_time"] / volume, abs=1e-6
                )
                assert got[Indicator.COMPLETENESS] == pytest.approx(
                    e["complete"] / volume, abs=1e-6
                )
                assert got[Indicator.REPEAT_SHARE] == pytest.approx(e["repeats"] / volume, abs=1e-6)
                assert got[Indicator.MEDIAN_HOURS] == pytest.approx(
                    statistics.median(e["hours"]), abs=1e-3
                )
                assert got[Indicator.AVERAGE_HOURS] == pytest.approx(
                    statistics.mean(e["hours"]), abs=1e-3
                )
            if e["scores"]:
                satisfied = sum(s >= 4 for s in e["scores"]) / len(e["scores"])
                assert got[Indicator.SATISFACTION_SHARE] == pytest.approx(satisfied, abs=1e-6)
                assert got[Indicator.AVERAGE_SCORE] == pytest.approx(
                    statistics.mean(e["scores"]), abs=1e-3
                )
            checked += 1
    assert checked >= 12  # departments × months


def test_a_new_methodology_leaves_the_reported_figures_and_changes_the_ranks(
    rated: tuple[Container, ConnectionInfo],
) -> None:
    container, _info = rated
    book = container.methodologies
    v1 = book.methodology("v1")
    assert v1 is not None
    month = f"{datetime.now(UTC) - timedelta(days=45):%Y-%m}"
    period = parse_period(month)
    before = container.ratings.rating(v1, period, Scope.DEPARTMENT, as_reported=True)
    v2 = book.publish(
        "v2",
        PublishMethodology(
            title="Скорость прежде всего",
            weights=(
                Weight(indicator=Indicator.MEDIAN_HOURS, weight=0.6, normalisation="min_max"),  # type: ignore[arg-type]
                Weight(indicator=Indicator.VOLUME, weight=0.4, normalisation="min_max"),  # type: ignore[arg-type]
            ),
            min_volume=25,
            note="Проект новой методики",
        ),
        actor=ANALYST,
    )
    after = container.ratings.rating(v1, period, Scope.DEPARTMENT, as_reported=True)
    assert after == before  # v1, as reported, unchanged
    assert book.in_force(month) == v1  # v2 has no period in force yet
    candidate = container.ratings.rating(v2, period, Scope.DEPARTMENT, as_reported=False)
    ranks_v1 = {u.unit: u.rank for u in before.units}
    ranks_v2 = {u.unit: u.rank for u in candidate.units}
    assert ranks_v1.keys() == ranks_v2.keys()
    assert ranks_v1 != ranks_v2  # other weights, other order
    assert any(not u.ranked for u in candidate.units) or all(
        u.volume >= 25 for u in candidate.units
    )


def test_the_reports_carry_the_ratings_figures_and_their_stamp_in_every_format(
    rated: tuple[Container, ConnectionInfo], tmp_path: Path
) -> None:
    container, info = rated
    v1 = container.methodologies.methodology("v1")
    assert v1 is not None
    period = parse_period(f"{datetime.now(UTC) - timedelta(days=45):%Y-%m}")
    table = container.reports.kpi(v1, period)
    rating = container.ratings.rating(v1, period, Scope.DEPARTMENT, as_reported=True)
    by_unit = {r["unit"]: r for r in table.rows}
    for unit in rating.units:
        assert (by_unit[unit.unit]["answered"], by_unit[unit.unit]["rank"]) == (
            unit.volume,
            unit.rank,
        )
    total = table.rows[-1]
    assert total["unit"] == "Муниципальное образование, всего"
    assert total["answered"] == sum(u.volume for u in rating.units)
    assert table.stamp["methodology"] == "v1/1" and table.stamp["position"] > 0
    # XLSX: the title, the stamp and the headings a person reads, then the figures
    book = openpyxl.load_workbook(io.BytesIO(render(table, "xlsx")))
    sheet = book.active
    assert sheet is not None
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0][0] == table.title
    assert any(str(r[0]).startswith("methodology: v1/1") for r in cells[1:5])
    headings = next(r for r in cells if r[0] == "Подразделение")
    assert headings[:3] == ["Подразделение", "Поступило", "Дан ответ"]
    assert len(cells) == cells.index(headings) + 1 + len(table.rows)
    # CSV: the same rows
    lines = list(csv.reader(io.StringIO(render(table, "csv").decode("utf-8-sig"))))
    assert lines[0] == [table.title] and len(lines) == len(cells)
    # summaries in slices add up to what was received
    first, end = period.first, period.end
    sliced = container.reports.summary(["channel", "month"], first, end)
    with psycopg.connect(info.conninfo) as conn:
        received = conn.execute(
            "SELECT count(*) FROM appeals WHERE received_at >= %s AND received_at < %s",
            (
                datetime.combine(first, time(0), tzinfo=ZoneInfo(container.settings.timezone)),
                datetime.combine(end, time(0), tzinfo=ZoneInfo(container.settings.timezone)),
            ),
        ).fetchone()
        open_now = conn.execute(
            "SELECT count(*) FROM appeals WHERE closed_at IS NULL AND first_answered_at IS NULL"
        ).fetchone()
    assert received is not None and open_now is not None
    assert sum(r["received"] for r in sliced.rows) == received[0] > 0
    with pytest.raises(ValueError, match="slices are any of"):
        container.reports.summary(["street"], first, end)
    assert sum(r["open"] for r in container.reports.workload().rows) == open_now[0]
    hot = container.reports.hot_topics(8, datetime.now(UTC).date())
    assert hot.rows and all(len([k for k in r if k.startswith("week_")]) == 8 for r in hot.rows)
    # the command line writes the same report
    target = tmp_path / "kpi.xlsx"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "infra.cli",
            "report",
            "kpi",
            "--period",
            period.label,
            "--format",
            "xlsx",
            "--output",
            str(target),
        ],
        env={**os.environ, "DATABASE_URL": info.url(), "OTKLIK_LOG_LEVEL": "warning"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    again = openpyxl.load_workbook(target).active
    assert again is not None and again["A1"].value == table.title
