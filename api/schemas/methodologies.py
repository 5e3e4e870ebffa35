"""The rating methodologies' bodies: a new version as an analyst writes it, a version as
published."""

from __future__ import annotations

from typing import Annotated

import msgspec

from domain.ratings.methodology import (
    Granularity,
    Indicator,
    Normalisation,
    Scope,
    StaffScores,
)
from domain.shared.inputs import Input, line, text


class Weight(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    indicator: Indicator
    weight: Annotated[float, msgspec.Meta(gt=0, le=1)]
    normalisation: Normalisation
    target: Annotated[float, msgspec.Meta(gt=0)] | None = None


class InForce(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Months ``since``..``until`` (inclusive; None: still in force), as YYYY-MM."""

    since: str
    until: str | None = None


class NewMethodology(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A methodology version as an analyst writes it, under its id."""

    title: Annotated[str, line(300, min_length=3)]
    weights: Annotated[tuple[Weight, ...], msgspec.Meta(min_length=1, max_length=20)]
    min_volume: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 10
    granularity: Granularity = Granularity.MONTH
    scopes: tuple[Scope, ...] = (Scope.DEPARTMENT, Scope.SECTOR, Scope.MUNICIPALITY)
    sla_policy: Annotated[str, line(100)] = "as_recorded"
    in_force: Annotated[tuple[InForce, ...], msgspec.Meta(max_length=100)] = ()  # months: decide
    note: Annotated[str, text(2000, min_length=3)]
    # issue 17: how staff-typed satisfaction scores count beside the citizen's own
    staff_scores: StaffScores = StaffScores.COUNT
    id: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]


class Methodology(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    version: int
    title: str
    weights: tuple[Weight, ...]
    min_volume: int
    granularity: Granularity
    scopes: tuple[Scope, ...]
    sla_policy: str  # "as_recorded": the deadline each appeal carries; or "id/version"
    in_force: tuple[InForce, ...]
    note: str
    staff_scores: StaffScores = StaffScores.COUNT
