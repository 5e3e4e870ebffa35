"""The directory's events: units and people created, renamed, moved, merged, closed, appointed.
Each names the date it takes effect (``effective``, the administration's order) beside who recorded
it and when (the envelope), so the directory can be read as of any date."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from domain.shared.envelope import Envelope

# The whole directory is one stream: a read is one query, a batch of changes is decided against
# everything it touches, and two administrators editing at once conflict instead of losing one.
STREAM = uuid.uuid5(uuid.UUID("5d0b7c1e-8f3a-4e62-a1d9-2b7c4e8f6a13"), "directory")


class UnitKind(StrEnum):
    MUNICIPALITY = "municipality"  # the administration itself
    SECTOR = "sector"  # отраслевой блок, led by a deputy head
    UNIT = "unit"  # управление, отдел, комитет
    INSTITUTION = "institution"  # подведомственное учреждение (МБУ, школа), with its founder


class Position(StrEnum):
    HEAD = "head"  # руководитель подразделения или учреждения; глава администрации
    DEPUTY_HEAD = "deputy_head"  # заместитель главы, ответственный за отраслевой блок (001 §1.3)
    EXECUTOR = "executor"  # ответственный исполнитель
    CURATOR = "curator"  # куратор МЦУ (первый заместитель главы)
    MCU_STAFF = "mcu_staff"  # сотрудник МЦУ


class DirectoryEvent(Envelope, frozen=True, kw_only=True, gc=False):
    effective: date  # the day the change takes effect


class UnitCreated(DirectoryEvent, frozen=True, kw_only=True, gc=False):
    unit_id: str
    kind: UnitKind
    name: str
    parent_id: str | None
    founder_id: str | None = None  # an institution's founding unit


class UnitRenamed(DirectoryEvent, frozen=True, kw_only=True, gc=False):
    unit_id: str
    name: str


class UnitMoved(DirectoryEvent, frozen=True, kw_only=True, gc=False):
    unit_id: str
    parent_id: str


class UnitMerged(DirectoryEvent, frozen=True, kw_only=True, gc=False):
    """The unit ceases; its work (and its appeals, in ratings of later periods) pass to ``into``."""

    unit_id: str
    into_id: str


class UnitClosed(DirectoryEvent, frozen=True, kw_only=True, gc=False):
    unit_id: str


class UnitAliasAdded(DirectoryEvent, frozen=True, kw_only=True, gc=False):
    """Another name the unit is known by: how free-text names in events recorded before the
    directory resolve to it."""

    unit_id: str
    alias: str


class PersonRegistered(DirectoryEvent, frozen=True, kw_only=True, gc=False):
    person_id: str
    name: str  # an official's name in their official capacity


class PersonRenamed(DirectoryEvent, frozen=True, kw_only=True, gc=False):
    person_id: str
    name: str


class PersonContactSet(DirectoryEvent, frozen=True, kw_only=True, gc=False):
    """The official's work e-mail (where escalations and the daily brief reach them); None: it
    is cleared. Personal data: never in logs or public routes."""

    person_id: str
    email: str | None


class PositionTaken(DirectoryEvent, frozen=True, kw_only=True, gc=False):
    person_id: str
    unit_id: str
    position: Position


class PositionLeft(DirectoryEvent, frozen=True, kw_only=True, gc=False):
    person_id: str
    unit_id: str
    position: Position


DIRECTORY_EVENT_TYPES: tuple[type[DirectoryEvent], ...] = (
    UnitCreated,
    UnitRenamed,
    UnitMoved,
    UnitMerged,
    UnitClosed,
    UnitAliasAdded,
    PersonRegistered,
    PersonRenamed,
    PositionTaken,
    PositionLeft,
    PersonContactSet,
)
