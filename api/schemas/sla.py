"""The SLA policies' bodies: a new version as its author gives it, and a version as published."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from domain.appeals.vocabulary import Channel, Deadline, Kind
from domain.shared.inputs import Input, line, text
from domain.sla.policy import Unit


class DeadlineRule(msgspec.Struct, frozen=True, kw_only=True):
    """One term: for which appeals (kinds, optionally channels and a topic), counted from which
    event, how long, in which unit, and whether a due day off rolls to the next working day."""

    deadline: Deadline
    kinds: frozenset[Kind]
    channels: frozenset[Channel] | None = None  # None: every channel of those kinds
    topic: str | None = None  # a region's shorter term for one topic
    anchor: str  # the event the count starts from: AppealReceived, AppealRegistered, …
    amount: int
    unit: Unit
    roll_over: bool = True


class DeadlineRuleInput(Input, frozen=True, kw_only=True):
    """One term as a policy's author gives it."""

    deadline: Deadline
    kinds: frozenset[Kind]
    channels: frozenset[Channel] | None = None
    topic: Annotated[str, line(500)] | None = None
    anchor: Annotated[str, line(100)]
    amount: Annotated[int, msgspec.Meta(ge=-3660, le=3660)]  # < 1: refused by the decider
    unit: Unit
    roll_over: bool = True


class PublishPolicy(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new version of an SLA policy: the whole set of rules (a region's terms)."""

    title: Annotated[str, line(300, min_length=3)]
    rules: Annotated[tuple[DeadlineRuleInput, ...], msgspec.Meta(max_length=500)]
    max_extension_days: Annotated[int, msgspec.Meta(ge=0, le=3660)] = 30
    single_extension: frozenset[Kind] = frozenset({Kind.MESSAGE})
    pausable: frozenset[Kind] = frozenset({Kind.MESSAGE, Kind.INCIDENT, Kind.CALL})
    at_risk_share: Annotated[float, msgspec.Meta(gt=0, lt=1)] = 0.2
    note: Annotated[str, text(1000, min_length=3)]
    # applies to appeals received from then on (ISO 8601 with offset; none: now)
    effective_from: datetime | None = None
    correction: bool = False  # an error in the version in force: running deadlines re-timed
    reason: Annotated[str, text(1000, min_length=3)] | None = None  # a correction's, required
    may_shorten: bool = False  # a correction that may move running deadlines earlier


class SlaPolicy(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    version: int
    title: str
    rules: tuple[DeadlineRule, ...]
    max_extension_days: int = 30  # 59-ФЗ ст. 12 ч. 2: +30 days at most, in all
    single_extension: frozenset[Kind] = frozenset({Kind.MESSAGE})  # ПОС: extended once
    pausable: frozenset[Kind] = frozenset({Kind.MESSAGE, Kind.INCIDENT, Kind.CALL})
    at_risk_share: float = 0.2  # "at risk" when less than this share of the time is left
    effective_from: datetime | None = None  # applies to appeals received from then on


class PolicyInForce(msgspec.Struct, frozen=True, kw_only=True):
    in_force: bool  # the policy new deadlines are computed under
    policy: SlaPolicy
