"""A rating methodology as versioned data: which indicators count, with what weight and
normalisation, the volume below which a unit is listed but not ranked, the period, the scopes,
which SLA policy's deadlines count as "on time", and the periods it is in force for (which
defines the rating "as reported"). Each version is published as an event; analysts write it as
a TOML file (``infra/methodologies/v1.toml``)."""

from __future__ import annotations

import re
import tomllib
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import msgspec

from domain.shared.actors import Actor, Role
from domain.shared.envelope import Envelope
from domain.shared.errors import Forbidden, InvalidCommand
from domain.shared.inputs import Input, is_month, line, text

PUBLISHERS = frozenset({Role.ANALYST, Role.CURATOR, Role.HEAD, Role.ADMINISTRATOR})
_NAMESPACE = uuid.UUID("0b8f5d7e-3a41-4c2b-9d6e-5f1a2c3b4d70")


class Indicator(StrEnum):
    VOLUME = "volume"  # appeals answered in the period
    ON_TIME_SHARE = "on_time_share"  # answered by the answer deadline
    AVERAGE_HOURS = "average_hours"  # registration → first answer
    MEDIAN_HOURS = "median_hours"
    OVERDUE = "overdue"  # answered late, or open past the deadline at the period's end
    COMPLETENESS = "completeness"  # answered on the merits: no rework, reopening or repeat
    SATISFACTION_SHARE = "satisfaction_share"  # ratings of 4–5 among those rated
    AVERAGE_SCORE = "average_score"
    REPEAT_SHARE = "repeat_share"  # repeats of an earlier appeal


# whether a higher value is better
HIGHER_IS_BETTER = {
    Indicator.VOLUME: True,
    Indicator.ON_TIME_SHARE: True,
    Indicator.AVERAGE_HOURS: False,
    Indicator.MEDIAN_HOURS: False,
    Indicator.OVERDUE: False,
    Indicator.COMPLETENESS: True,
    Indicator.SATISFACTION_SHARE: True,
    Indicator.AVERAGE_SCORE: True,
    Indicator.REPEAT_SHARE: False,
}


class Normalisation(StrEnum):
    SHARE = "share"  # already 0..1 (1 − value where lower is better)
    MIN_MAX = "min_max"  # (value − worst) / (best − worst) among the ranked units of the period
    TARGET = "target"  # value / target, capped at 1 (target / value where lower is better)


class Granularity(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Scope(StrEnum):
    DEPARTMENT = "department"
    # municipal institutions (issue 15): rated by the rules a methodology sets for departments
    INSTITUTION = "institution"
    SECTOR = "sector"
    MUNICIPALITY = "municipality"


class StaffScores(StrEnum):
    """How satisfaction scores typed by staff count beside the citizen's own (issue 17)."""

    COUNT = "count"  # every score counts alike: the last one given (methodologies before it)
    IGNORE = "ignore"  # only the citizen's own scores count
    # the citizen's score of an answer where there is one, else the one staff typed
    WHEN_NO_CITIZEN_SCORE = "when-no-citizen-score"


class Weight(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    indicator: Indicator
    weight: Annotated[float, msgspec.Meta(gt=0, le=1)]
    normalisation: Normalisation
    target: Annotated[float, msgspec.Meta(gt=0)] | None = None


class InForce(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Months ``since``..``until`` (inclusive; None: still in force), as YYYY-MM."""

    since: str
    until: str | None = None

    def covers(self, month: str) -> bool:
        return self.since <= month and (self.until is None or month <= self.until)


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
    staff_scores: StaffScores = StaffScores.COUNT  # issue 17 (older versions: count)

    def in_force_for(self, month: str) -> bool:
        return any(r.covers(month) for r in self.in_force)

    @property
    def label(self) -> str:
        return f"{self.id}/{self.version}"


class PublishMethodology(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A methodology version as an analyst writes it (the API body, or the TOML file)."""

    title: Annotated[str, line(300, min_length=3)]
    weights: Annotated[tuple[Weight, ...], msgspec.Meta(min_length=1, max_length=20)]
    min_volume: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 10
    granularity: Granularity = Granularity.MONTH
    scopes: tuple[Scope, ...] = (Scope.DEPARTMENT, Scope.SECTOR, Scope.MUNICIPALITY)
    sla_policy: Annotated[str, line(100)] = "as_recorded"
    in_force: Annotated[tuple[InForce, ...], msgspec.Meta(max_length=100)] = ()  # months: decide
    note: Annotated[str, text(2000, min_length=3)]
    staff_scores: StaffScores = StaffScores.COUNT


def parse_toml(text: str) -> PublishMethodology:
    """An analyst's TOML file as a publication (the same fields as the API body)."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidCommand(f"the methodology file is not TOML: {error}") from None
    try:
        return msgspec.convert(data, PublishMethodology)
    except msgspec.ValidationError as error:
        raise InvalidCommand(f"the methodology file is not valid: {error}") from None


# Every methodology's versions in one stream: the list is one read, and two publications at
# once collide on its version (a conflict, never a lost one).
STREAM = uuid.uuid5(_NAMESPACE, "methodologies")


class MethodologyPublished(Envelope, frozen=True, kw_only=True, gc=False):
    methodology: Methodology


METHODOLOGY_EVENT_TYPES: tuple[type[MethodologyPublished], ...] = (MethodologyPublished,)


def decide_publish(
    current: Methodology | None,
    methodology_id: str,
    command: PublishMethodology,
    *,
    actor: Actor,
    now: datetime,
    stream_version: int,
) -> list[MethodologyPublished]:
    if actor.role not in PUBLISHERS and actor.role is not Role.SYSTEM:
        raise Forbidden("only an analyst, a curator, the head or an administrator publishes")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,62}", methodology_id):
        raise InvalidCommand("a methodology id is lowercase letters, digits, '-' and '_'")
    if command.sla_policy != "as_recorded":
        raise InvalidCommand(
            "sla_policy: only 'as_recorded' (the deadline each appeal carries) is supported yet"
        )
    _check_weights(command)
    _check_periods(command)
    version = (current.version if current else 0) + 1
    methodology = Methodology(
        id=methodology_id,
        version=version,
        title=command.title,
        weights=command.weights,
        min_volume=command.min_volume,
        granularity=command.granularity,
        scopes=command.scopes,
        sla_policy=command.sla_policy,
        in_force=command.in_force,
        note=command.note,
        staff_scores=command.staff_scores,
    )
    return [
        MethodologyPublished(
            originator_id=STREAM,
            originator_version=stream_version + 1,
            timestamp=now,
            occurred_at=now,
            actor=actor,
            methodology=methodology,
        )
    ]


def _check_weights(command: PublishMethodology) -> None:
    seen = [w.indicator for w in command.weights]
    if len(set(seen)) != len(seen):
        raise InvalidCommand("each indicator may have one weight")
    total = sum(w.weight for w in command.weights)
    if abs(total - 1) > 1e-6:
        raise InvalidCommand(f"the weights add up to {total:g}, not 1")
    for w in command.weights:
        if w.normalisation is Normalisation.TARGET and w.target is None:
            raise InvalidCommand(f"the {w.indicator} weight normalises to a target: give 'target'")
        if w.normalisation is Normalisation.SHARE and w.indicator not in SHARES:
            raise InvalidCommand(f"{w.indicator} is not a share; normalise it by min_max or target")


def _check_periods(command: PublishMethodology) -> None:
    for period in command.in_force:
        for month in (period.since, period.until):
            if month is not None and not is_month(month):
                raise InvalidCommand("`in_force` holds a value that is not a month (YYYY-MM)")
        if period.until is not None and period.until < period.since:
            raise InvalidCommand("an `in_force` period ends before it starts")


SHARES = frozenset(
    {
        Indicator.ON_TIME_SHARE,
        Indicator.COMPLETENESS,
        Indicator.SATISFACTION_SHARE,
        Indicator.REPEAT_SHARE,
    }
)
