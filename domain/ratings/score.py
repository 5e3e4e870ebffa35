"""Scoring and ranking under a methodology: a pure function of each unit's indicators.

Normalisation (per weight): ``share`` takes the value as it is (1 − value where lower is
better); ``min_max`` places it between the worst and the best of the ranked units (all equal:
1); ``target`` is value / target capped at 1 (target / value where lower is better). A unit
with no value for an indicator (no ratings yet) is scored on the others, their weights scaled up
to one. Units below the minimum volume are listed, not ranked. Scores are 0–100, rounded to two
decimals before ranking; equal scores share a rank (1, 2, 2, 4), and the order among them is by
volume, then by name: the same figures always give the same table."""

from __future__ import annotations

import re
from datetime import date

import msgspec

from domain.ratings.methodology import (
    HIGHER_IS_BETTER,
    Granularity,
    Indicator,
    Methodology,
    Normalisation,
    Weight,
)
from domain.shared.inputs import EARLIEST_YEAR, LATEST_YEAR


class UnitFigures(msgspec.Struct, frozen=True, kw_only=True):
    unit: str
    values: dict[Indicator, float | None]

    @property
    def volume(self) -> int:
        return int(self.values.get(Indicator.VOLUME) or 0)


class RatedUnit(msgspec.Struct, frozen=True, kw_only=True):
    unit: str  # the directory's id (a name recorded before the directory and not resolved)
    volume: int
    ranked: bool  # false below the methodology's minimum volume
    rank: int | None
    score: float | None
    indicators: dict[str, float | None]
    normalised: dict[str, float | None]
    contributions: dict[str, float]  # points of the score each indicator gave
    # the name the unit is shown under for the period, and the names it had before (issue 15)
    name: str = ""
    former_names: tuple[str, ...] = ()


def _normalise(
    weight: Weight, value: float | None, lo: float | None, hi: float | None
) -> float | None:
    if value is None:
        return None
    higher = HIGHER_IS_BETTER[weight.indicator]
    if weight.normalisation is Normalisation.SHARE:
        return value if higher else 1 - value
    if weight.normalisation is Normalisation.TARGET:
        assert weight.target is not None
        if higher:
            return min(value / weight.target, 1.0)
        return 1.0 if value <= 0 else min(weight.target / value, 1.0)
    if lo is None or hi is None or hi == lo:
        return 1.0
    return (value - lo) / (hi - lo) if higher else (hi - value) / (hi - lo)


def rate(methodology: Methodology, units: list[UnitFigures]) -> list[RatedUnit]:
    ranked = [u for u in units if u.volume >= methodology.min_volume]
    bounds: dict[Indicator, tuple[float | None, float | None]] = {}
    for weight in methodology.weights:
        present = [v for u in ranked if (v := u.values.get(weight.indicator)) is not None]
        bounds[weight.indicator] = (min(present), max(present)) if present else (None, None)
    rated = []
    for unit in units:
        is_ranked = unit.volume >= methodology.min_volume
        normalised: dict[str, float | None] = {}
        contributions: dict[str, float] = {}
        available = 0.0
        for weight in methodology.weights:
            lo, hi = bounds[weight.indicator]
            n = _normalise(weight, unit.values.get(weight.indicator), lo, hi)
            normalised[weight.indicator.value] = None if n is None else round(n, 6)
            if n is not None:
                available += weight.weight
                contributions[weight.indicator.value] = weight.weight * n
        score = None
        if is_ranked and available > 0:
            contributions = {k: round(v / available * 100, 2) for k, v in contributions.items()}
            score = round(sum(contributions.values()), 2)
        else:
            contributions = {}
        rated.append(
            RatedUnit(
                unit=unit.unit,
                volume=unit.volume,
                ranked=is_ranked and score is not None,
                rank=None,
                score=score,
                indicators={k.value: v for k, v in unit.values.items()},
                normalised=normalised,
                contributions=contributions,
            )
        )
    order = sorted(rated, key=lambda r: (not r.ranked, -(r.score or 0), -r.volume, r.unit))
    result: list[RatedUnit] = []
    previous: float | None = None
    rank = 0
    for position, row in enumerate(order, 1):
        if not row.ranked:
            result.append(row)
            continue
        if row.score != previous:
            rank, previous = position, row.score
        result.append(msgspec.structs.replace(row, rank=rank))
    return result


class Period(msgspec.Struct, frozen=True, kw_only=True):
    label: str  # 2026-03, 2026-Q1, 2026
    granularity: Granularity
    first: date  # the first day
    end: date  # the day after the last

    @property
    def first_month(self) -> str:
        return f"{self.first:%Y-%m}"


def parse_period(text: str) -> Period:
    """``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``, in the years the input domain allows."""
    year_part = re.match(r"[0-9]{4}", text)
    if year_part is None or not EARLIEST_YEAR <= int(year_part[0]) <= LATEST_YEAR:
        raise ValueError(f"not a period: YYYY-MM, YYYY-Qn or YYYY, {EARLIEST_YEAR}–{LATEST_YEAR}")
    if m := re.fullmatch(r"([0-9]{4})-(0[1-9]|1[0-2])", text):
        year, month = int(m[1]), int(m[2])
        end = date(year + month // 12, month % 12 + 1, 1)
        return Period(
            label=text, granularity=Granularity.MONTH, first=date(year, month, 1), end=end
        )
    if m := re.fullmatch(r"([0-9]{4})-Q([1-4])", text):
        year, quarter = int(m[1]), int(m[2])
        first = date(year, 3 * quarter - 2, 1)
        end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
        return Period(label=text, granularity=Granularity.QUARTER, first=first, end=end)
    if m := re.fullmatch(r"([0-9]{4})", text):
        year = int(m[1])
        return Period(
            label=text,
            granularity=Granularity.YEAR,
            first=date(year, 1, 1),
            end=date(year + 1, 1, 1),
        )
    raise ValueError("not a period: YYYY-MM, YYYY-Qn or YYYY")
