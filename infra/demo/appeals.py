"""Demo data written through the domain: every command goes through ``decide``, so every invariant
holds. A year of a city's appeals on every channel, answered on time and late, with reworks,
extensions, reopenings, repeats, duplicates, breaches and escalations, and satisfaction scores.

The simulation runs all appeals' steps in time order, so recorded times follow the log order."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import msgspec

from domain.appeals import commands as cmd
from domain.appeals import directory_routing
from domain.appeals.application import AppealsApplication
from domain.appeals.decide import decide
from domain.appeals.events import AppealEvent
from domain.appeals.state import AppealState, evolve
from domain.appeals.topic_codes import is_under
from domain.organisation.directory import Directory
from domain.organisation.events import Position
from domain.organisation.lookup import resolve
from domain.rubricator.state import Rubricator
from domain.sla.clock import SlaClock
from infra.demo.lives import LifePlanner
from infra.demo.timetable import Timetable
from infra.demo.topics import SECTION_CODES, TOPIC_CODES


@dataclass
class DemoStats:
    appeals: int = 0
    events: int = 0
    position: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


class DemoWriter:
    """Plans and decides a city's appeals; ``save`` appends a chunk of decided events and returns
    the log position, ``next_number`` hands out registration numbers."""

    def __init__(
        self,
        *,
        policy: SlaClock,
        save: Callable[[list[AppealEvent]], int],
        next_number: Callable[[], int],
        seed: int = 2026,
        directory: Directory | None = None,
        rubricator: Rubricator | None = None,
    ) -> None:
        self.policy = policy
        self.directory = directory  # assignments name its units and people, as the API's do
        self.rubricator = rubricator  # categorisations name its codes
        self.today: date | None = None  # checked as the API checks: as they stand today
        self.save = save
        self.rng = random.Random(seed)
        self.timetable = Timetable()
        self.planner = LifePlanner(self.timetable, self.rng, next_number)

    def run(self, n: int, now: datetime, chunk: int = 200) -> DemoStats:
        stats = DemoStats()
        self.today = now.astimezone(self.policy.zone).date()
        self.planner.plan(n, now)
        pending: list[AppealEvent] = []
        for item in self.timetable.drain():
            self.timetable.now = item.at
            state = self.timetable.states.get(item.appeal)
            if isinstance(item.make, cmd.ReceiveAppeal):
                command: cmd.Command | None = item.make
            else:
                assert state is not None
                command = item.make(state)
            if command is None:
                continue
            if state is not None:
                command = self._by_directory(state, command, item.at)
            events = decide(
                state,
                command,
                actor=item.actor,
                now=item.at,
                policy=self.policy,
                appeal_id=self.timetable.ids.setdefault(item.appeal, uuid.uuid4()),
            )
            for event in events:
                state = evolve(state, event)
            assert state is not None
            self.timetable.states[item.appeal] = state
            pending.extend(events)
            if isinstance(command, cmd.ReceiveAppeal):
                stats.appeals += 1
                stats.by_kind[command.kind] = stats.by_kind.get(command.kind, 0) + 1
            if len(pending) >= chunk:
                stats.position = self.save(pending)
                stats.events += len(pending)
                pending = []
        if pending:
            stats.position = self.save(pending)
            stats.events += len(pending)
        return stats

    def _by_directory(self, state: AppealState, command: cmd.Command, at: datetime) -> cmd.Command:
        """The command as the API completes it from the directory: the planned department's
        unit, one of its executors (the catalogue's names are the demo's older data)."""
        if self.directory is None or self.today is None:
            return command
        day = self.today
        if type(command) is cmd.AssignAppeal:
            unit = resolve(self.directory, command.department) or command.department
            executors = self.directory.holders(unit, Position.EXECUTOR, day)
            executor = self.rng.choice(executors) if executors else None
            if (state.department, state.executor) == (unit, executor):
                executor = None if executor else (executors[0] if executors else None)
            command = cmd.AssignAppeal(department=unit, executor=executor)
        if type(command) is cmd.CategoriseAppeal and self.rubricator is not None:
            command = by_codes(self.rubricator, command)
        return directory_routing.complete(self.directory, state, command, day, self.rubricator)


def by_codes(rubricator: Rubricator, command: cmd.CategoriseAppeal) -> cmd.CategoriseAppeal:
    """The catalogue's free-text topic and subtopic as the rubricator's codes (the topic: the
    catalogue topic's code when it covers the subtopic's, else the subtopic's parent)."""
    sub = TOPIC_CODES.get((command.topic, command.subtopic or ""))
    topic = SECTION_CODES.get(command.topic, command.topic)
    if sub is not None and not is_under(rubricator, sub, topic):
        entry = rubricator.entry(sub)
        topic = entry.parent if entry is not None and entry.parent else sub
    return msgspec.structs.replace(command, topic=topic, subtopic=sub)


def load_demo(
    app: AppealsApplication, appeals: int, *, now: datetime, seed: int = 2026
) -> DemoStats:
    writer = DemoWriter(
        policy=app.policy,
        save=app.save_events,
        next_number=app.appeal_recorder.next_registration_number,
        seed=seed,
        directory=app.directory() if app.directory is not None else None,
        rubricator=app.rubricator() if app.rubricator is not None else None,
    )
    return writer.run(appeals, now)
