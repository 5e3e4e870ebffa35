"""A task a decision sets: its commands, state and ``decide``. Reported on, accepted or returned,
extended with a reason; a deadline passed unmet is breached and escalated once per deadline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from domain.organisation.directory import Directory
from domain.sessions import task_events as ev
from domain.sessions.commands import CitationsInput, Item
from domain.sessions.decide import WRITERS
from domain.sessions.events import Citations
from domain.sessions.session import SessionState
from domain.shared.actors import Actor, Role
from domain.shared.envelope import Stamper
from domain.shared.errors import Forbidden, InvalidCommand, NotFound, RuleViolated
from domain.shared.inputs import Code, Input, ShortText, Text, as_record
from domain.shared.time import business_time, require_aware
from domain.sla.calendar import ProductionCalendar


class TaskCommand(Input, frozen=True, kw_only=True):
    action: ClassVar[str]
    occurred_at: datetime | None = None


class SetTask(TaskCommand, frozen=True, kw_only=True):
    action = "set a task"

    session_id: UUID
    item: Item
    text: Text
    unit_id: Code | None = None
    person_id: Code | None = None
    due: date | None = None  # a working day; or
    within_working_days: Annotated[int, msgspec.Meta(ge=1, le=365)] | None = None
    cites: CitationsInput = CitationsInput()


class ReportOnTask(TaskCommand, frozen=True, kw_only=True):
    action = "report on a task"

    report: Text


class AcceptTask(TaskCommand, frozen=True, kw_only=True):
    action = "accept a task"

    note: ShortText | None = None


class ReturnTask(TaskCommand, frozen=True, kw_only=True):
    action = "return a task"

    reason: Text


class ExtendTask(TaskCommand, frozen=True, kw_only=True):
    action = "extend a task"

    due: date
    reason: Text


class RecordTaskBreach(TaskCommand, frozen=True, kw_only=True):
    action = "record a task's breach"


class TaskStatus(StrEnum):
    OPEN = "open"
    REPORTED = "reported"
    DONE = "done"


class TaskState(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    version: int
    session_id: UUID
    item: int
    text: str
    unit_id: str | None
    person_id: str | None
    due: date
    due_at: datetime
    cites: Citations
    set_at: datetime
    status: TaskStatus = TaskStatus.OPEN
    report: str | None = None
    reported_at: datetime | None = None
    done_at: datetime | None = None
    breaches: tuple[datetime, ...] = ()  # the deadlines breached
    escalated_to: str | None = None
    extensions: int = 0


def evolve(state: TaskState | None, event: ev.TaskEvent) -> TaskState:
    if isinstance(event, ev.TaskSet):
        return TaskState(
            id=event.originator_id,
            version=event.originator_version,
            session_id=event.session_id,
            item=event.item,
            text=event.text,
            unit_id=event.unit_id,
            person_id=event.person_id,
            due=event.due,
            due_at=event.due_at,
            cites=event.cites,
            set_at=event.occurred_at,
        )
    assert state is not None, "a task begins with TaskSet"
    s = msgspec.structs.replace(state, version=event.originator_version)
    replace = msgspec.structs.replace
    if isinstance(event, ev.TaskReported):
        return replace(
            s, status=TaskStatus.REPORTED, report=event.report, reported_at=event.occurred_at
        )
    if isinstance(event, ev.TaskAccepted):
        return replace(s, status=TaskStatus.DONE, done_at=event.occurred_at)
    if isinstance(event, ev.TaskReturned):
        return replace(s, status=TaskStatus.OPEN)
    if isinstance(event, ev.TaskExtended):
        return replace(s, due=event.due, due_at=event.due_at, extensions=s.extensions + 1)
    if isinstance(event, ev.TaskDeadlineBreached):
        return replace(s, breaches=(*s.breaches, event.due_at))
    if isinstance(event, ev.TaskEscalated):
        return replace(s, escalated_to=event.to_person)
    return s


class TaskWorld(msgspec.Struct, frozen=True, kw_only=True, dict=True):
    """What a task's decisions read beyond the task: the directory, the calendar, the zone, the
    session that set it and the МЦУ's head (whom an escalation reaches when no deputy is)."""

    directory: Directory
    calendar: ProductionCalendar
    timezone: str
    session: Callable[[UUID], SessionState | None]


def end_of(day: date, timezone: str) -> datetime:
    """The instant the working day ``day`` ends (midnight after it, local time)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))


def _authorise(state: TaskState | None, command: TaskCommand, actor: Actor) -> None:
    if actor.role in WRITERS:
        return
    if isinstance(command, RecordTaskBreach) and actor.role is Role.SYSTEM:
        return
    if (
        isinstance(command, ReportOnTask)
        and actor.role is Role.EXECUTOR
        and state is not None
        and state.unit_id is not None
        and actor.department == state.unit_id
    ):
        return  # the unit's own executor reports on its task
    raise Forbidden(f"the role '{actor.role}' may not {command.action}")


def _due(world: TaskWorld, command: SetTask | ExtendTask, decided_on: date) -> date:
    if isinstance(command, SetTask) and command.within_working_days is not None:
        if command.due is not None:
            raise InvalidCommand("give the deadline as a date or as working days, not both")
        return world.calendar.add_working_days(decided_on, command.within_working_days)
    if command.due is None:
        raise InvalidCommand("a task needs a deadline: a date or a number of working days")
    if not world.calendar.is_working(command.due):
        raise InvalidCommand("a task's deadline is a working day of the production calendar")
    if command.due <= decided_on:
        raise InvalidCommand("a task's deadline lies after the decision")
    return command.due


def decide(
    state: TaskState | None,
    command: TaskCommand,
    *,
    actor: Actor,
    now: datetime,
    task_id: UUID,
    world: TaskWorld,
) -> list[ev.TaskEvent]:
    now = require_aware(now, "now")
    _authorise(state, command, actor)
    at = business_time(
        command.occurred_at, now, not_before=state.set_at if state else None, what="the task"
    )
    stamp = Stamper(task_id, state.version if state else 0, actor, now, at)
    if isinstance(command, SetTask):
        return [_set(command, stamp, world)]
    if state is None:
        raise NotFound("there is no such task")
    if state.status is TaskStatus.DONE:
        raise RuleViolated("the task is accepted as done")
    return _progress(command, state, stamp, world)


def _set(command: SetTask, stamp: Stamper, world: TaskWorld) -> ev.TaskEvent:
    session = world.session(command.session_id)
    if session is None:
        raise NotFound("there is no such session")
    outcome = session.outcome(command.item)
    if outcome is None or not outcome.adopted:
        raise RuleViolated(f"item {command.item} of the session has no adopted decision")
    if (command.unit_id is None) == (command.person_id is None):
        raise InvalidCommand("a task goes to a unit or to a person of the directory")
    decided_on = session.held_on
    if command.unit_id is not None and not world.directory.is_open(command.unit_id, decided_on):
        raise InvalidCommand("the unit is not open in the directory on the session date")
    if command.person_id is not None and world.directory.person(command.person_id) is None:
        raise InvalidCommand("the person is not in the directory")
    due = _due(world, command, decided_on)
    return ev.TaskSet(
        **stamp.envelope(),
        session_id=command.session_id,
        item=command.item,
        text=command.text,
        unit_id=command.unit_id,
        person_id=command.person_id,
        due=due,
        due_at=end_of(due, world.timezone),
        cites=as_record(command.cites, Citations),
    )


def _progress(
    command: TaskCommand, s: TaskState, stamp: Stamper, world: TaskWorld
) -> list[ev.TaskEvent]:
    if isinstance(command, ReportOnTask):
        if s.status is TaskStatus.REPORTED:
            raise RuleViolated("the task's report awaits acceptance or return")
        return [ev.TaskReported(**stamp.envelope(), report=command.report)]
    if isinstance(command, AcceptTask | ReturnTask):
        if s.status is not TaskStatus.REPORTED:
            raise RuleViolated("a task is accepted or returned after its report")
        if isinstance(command, AcceptTask):
            return [ev.TaskAccepted(**stamp.envelope(), note=command.note)]
        return [ev.TaskReturned(**stamp.envelope(), reason=command.reason)]
    if isinstance(command, ExtendTask):
        due = _due(world, command, s.due)
        return [
            ev.TaskExtended(
                **stamp.envelope(),
                due=due,
                due_at=end_of(due, world.timezone),
                reason=command.reason,
            )
        ]
    if isinstance(command, RecordTaskBreach):
        return _breach(s, stamp, world)
    raise InvalidCommand(f"unknown command {type(command).__name__}")


def _breach(s: TaskState, stamp: Stamper, world: TaskWorld) -> list[ev.TaskEvent]:
    if s.status is not TaskStatus.OPEN:
        raise RuleViolated("the task is reported: its deadline is not breached")
    if s.due_at in s.breaches:
        raise RuleViolated("the breach of this deadline is already recorded")
    if stamp.now <= s.due_at:
        raise RuleViolated("the task's deadline has not passed")
    on = s.due
    to = world.directory.responsible_for(s.unit_id, on) if s.unit_id else None
    if to is None:
        session = world.session(s.session_id)
        to = session.composition.head if session is not None else None
    return [
        ev.TaskDeadlineBreached(**stamp.envelope(), due_at=s.due_at),
        ev.TaskEscalated(**stamp.envelope(), due_at=s.due_at, to_person=to),
    ]
