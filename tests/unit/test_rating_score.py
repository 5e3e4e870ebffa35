"""Scoring and ranking: normalisation, the low-volume rule, ties, missing values, periods."""

from __future__ import annotations

from datetime import date

import pytest

from domain.ratings.methodology import (
    Granularity,
    Indicator,
    InForce,
    Methodology,
    Normalisation,
    Scope,
    Weight,
)
from domain.ratings.score import UnitFigures, parse_period, rate

METHOD = Methodology(
    id="t",
    version=1,
    title="Тест",
    weights=(
        Weight(indicator=Indicator.ON_TIME_SHARE, weight=0.5, normalisation=Normalisation.SHARE),
        Weight(indicator=Indicator.MEDIAN_HOURS, weight=0.3, normalisation=Normalisation.MIN_MAX),
        Weight(
            indicator=Indicator.SATISFACTION_SHARE, weight=0.2, normalisation=Normalisation.SHARE
        ),
    ),
    min_volume=10,
    granularity=Granularity.MONTH,
    scopes=(Scope.DEPARTMENT,),
    sla_policy="as_recorded",
    in_force=(InForce(since="2026-01"),),
    note="тест",
)


def unit(
    name: str, volume: int, on_time: float, hours: float, satisfied: float | None
) -> UnitFigures:
    return UnitFigures(
        unit=name,
        values={
            Indicator.VOLUME: float(volume),
            Indicator.ON_TIME_SHARE: on_time,
            Indicator.MEDIAN_HOURS: hours,
            Indicator.SATISFACTION_SHARE: satisfied,
        },
    )


def test_scores_normalise_each_indicator_and_rank_the_best_first() -> None:
    table = rate(
        METHOD,
        [unit("Б", 20, 0.5, 100, 0.5), unit("А", 30, 1.0, 50, 1.0), unit("В", 15, 0.9, 150, 0.8)],
    )
    assert [(r.unit, r.rank) for r in table] == [("А", 1), ("В", 2), ("Б", 3)]
    best = table[0]
    # on time 1.0 × 0.5 + fastest (min-max 1.0) × 0.3 + satisfied 1.0 × 0.2 = 100
    assert best.score == 100 and best.contributions == {
        "on_time_share": 50.0,
        "median_hours": 30.0,
        "satisfaction_share": 20.0,
    }
    slowest = table[1]
    assert slowest.normalised["median_hours"] == 0.0  # the slowest of the ranked units
    assert slowest.score == pytest.approx(0.9 * 50 + 0 + 0.8 * 20)


def test_a_unit_below_the_minimum_volume_is_listed_not_ranked() -> None:
    table = rate(METHOD, [unit("Малый", 3, 1.0, 1, 1.0), unit("Большой", 40, 0.5, 10, 0.5)])
    assert [(r.unit, r.ranked, r.rank, r.score) for r in table] == [
        ("Большой", True, 1, pytest.approx(100 * (0.25 + 0.3 + 0.1))),
        ("Малый", False, None, None),
    ]
    # the small one's figures do not set the min-max bounds either
    assert table[0].normalised["median_hours"] == 1.0


def test_ties_share_a_rank_and_are_ordered_by_volume_then_name() -> None:
    same = (0.8, 20, 0.9)
    table = rate(
        METHOD,
        [
            unit("Я", 12, *same),
            unit("Б", 12, *same),
            unit("А", 50, *same),
            unit("Г", 12, 0.1, 20, 0.1),
        ],
    )
    assert [(r.unit, r.rank) for r in table] == [("А", 1), ("Б", 1), ("Я", 1), ("Г", 4)]
    again = rate(METHOD, list(reversed([unit("Я", 12, *same), unit("Б", 12, *same)])))
    assert [r.unit for r in again] == ["Б", "Я"]


def test_a_missing_value_is_scored_on_the_other_indicators() -> None:
    (only,) = rate(METHOD, [unit("Без оценок", 20, 1.0, 5, None)])
    assert only.normalised["satisfaction_share"] is None
    assert only.score == 100.0  # 0.5 + 0.3 of 0.8, scaled to 100


def test_an_empty_period_is_an_empty_table() -> None:
    assert rate(METHOD, []) == []


@pytest.mark.parametrize(
    ("text", "first", "end", "granularity"),
    [
        ("2026-03", date(2026, 3, 1), date(2026, 4, 1), Granularity.MONTH),
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1), Granularity.MONTH),
        ("2026-Q1", date(2026, 1, 1), date(2026, 4, 1), Granularity.QUARTER),
        ("2026-Q4", date(2026, 10, 1), date(2027, 1, 1), Granularity.QUARTER),
        ("2026", date(2026, 1, 1), date(2027, 1, 1), Granularity.YEAR),
    ],
)
def test_periods(text: str, first: date, end: date, granularity: Granularity) -> None:
    period = parse_period(text)
    assert (period.first, period.end, period.granularity) == (first, end, granularity)
    with pytest.raises(ValueError, match="not a period"):
        parse_period("2026-13")
