"""The events of a task a decision of the МЦУ sets (001 §4.1: checking how measures are carried
out; §4.2в: removing the causes of repeated appeals)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from domain.sessions.events import Citations
from domain.shared.envelope import Envelope


class TaskEvent(Envelope, frozen=True, kw_only=True, gc=False):
    """Base of a task's events."""


class TaskSet(TaskEvent, frozen=True, kw_only=True):
    session_id: UUID
    item: int  # the agenda item whose adopted decision sets it
    text: str
    unit_id: str | None  # the directory's unit
    person_id: str | None  # or person
    due: date  # a working day of the production calendar
    due_at: datetime  # the end of that day, local time, as an instant
    cites: Citations


class TaskReported(TaskEvent, frozen=True, kw_only=True):
    report: str


class TaskAccepted(TaskEvent, frozen=True, kw_only=True):
    note: str | None


class TaskReturned(TaskEvent, frozen=True, kw_only=True):
    reason: str


class TaskExtended(TaskEvent, frozen=True, kw_only=True):
    due: date
    due_at: datetime
    reason: str


class TaskDeadlineBreached(TaskEvent, frozen=True, kw_only=True):
    due_at: datetime  # the deadline breached (one breach per deadline)


class TaskEscalated(TaskEvent, frozen=True, kw_only=True):
    due_at: datetime
    to_person: str | None  # the deputy head responsible for the unit's sector, or the МЦУ's head


TASK_EVENT_TYPES: tuple[type[TaskEvent], ...] = (
    TaskSet,
    TaskReported,
    TaskAccepted,
    TaskReturned,
    TaskExtended,
    TaskDeadlineBreached,
    TaskEscalated,
)
