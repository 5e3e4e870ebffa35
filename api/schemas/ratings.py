"""The public ratings' bodies beyond a rating itself: two methodologies side by side."""

from __future__ import annotations

import msgspec

from domain.ratings.methodology import Scope


class Moved(msgspec.Struct, frozen=True, kw_only=True):
    indicator: str
    points: float  # candidate's contribution minus base's


class Compared(msgspec.Struct, frozen=True, kw_only=True):
    unit: str  # the directory's id
    name: str  # the name in force at the period's end
    volume: int
    base_score: float | None
    base_rank: int | None
    candidate_score: float | None
    candidate_rank: int | None
    rank_change: int | None  # positive: moved up
    moved_by: list[Moved]  # the indicators that moved the score most


class Comparison(msgspec.Struct, frozen=True, kw_only=True):
    period: str
    scope: Scope
    base: str
    candidate: str
    position: int
    units: list[Compared]
