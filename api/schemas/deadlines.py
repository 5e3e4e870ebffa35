"""Deadlines as the API shows them (an appeal's deadlines, their provenance) and as the re-timer
sends them."""

from __future__ import annotations

from datetime import datetime

import msgspec

from domain.appeals.vocabulary import Deadline
from domain.sla.policy import Unit
from domain.sla.status import DeadlineStatus


class Anchor(msgspec.Struct, frozen=True, kw_only=True):
    event: str
    version: int  # the appeal's version the anchor event has
    at: datetime  # its business time


class Provenance(msgspec.Struct, frozen=True, kw_only=True):
    policy_id: str
    policy_version: int
    calendar_id: str
    calendar_version: int
    timezone: str
    anchor: Anchor
    rule: str
    steps: tuple[str, ...]


class ComputedDeadline(msgspec.Struct, frozen=True, kw_only=True):
    deadline: Deadline
    due: datetime  # UTC; the deadline is met by an act strictly before this moment
    unit: Unit
    provenance: Provenance


class DeadlineChange(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime
    event: str
    version: int
    due: datetime


class TimeLeft(msgspec.Struct, frozen=True, kw_only=True):
    amount: float  # negative once past due
    unit: Unit


class DeadlineView(msgspec.Struct, frozen=True, kw_only=True):
    deadline: Deadline
    due: datetime  # UTC
    due_local: datetime  # the same moment in the appeal's time zone, with its offset
    status: DeadlineStatus
    met_at: datetime | None
    time_left: TimeLeft | None  # for deadlines not yet met
    provenance: Provenance | None  # None for deadlines recorded before provenance was kept
    policy: str
    history: list[DeadlineChange]
