"""The demo's timetable: its actors, the steps planned for every appeal in time order, and what
the simulation has decided so far (a planned step reads it when its time comes)."""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from domain.appeals import commands as cmd
from domain.appeals.state import AppealState
from domain.shared.actors import Actor, Role

OPERATOR = Actor(id="demo-operator", role=Role.OPERATOR, name="Оператор МЦУ Сафонова Л. В.")
CURATOR = Actor(id="demo-curator", role=Role.CURATOR, name="Куратор МЦУ Орлов Д. К.")
HEAD = Actor(id="demo-head", role=Role.HEAD, name="Руководитель МЦУ Гусев А. П.")
WATCHER = Actor(id="deadline-watcher", role=Role.SYSTEM, name="Контроль сроков")


# A planned step: given the appeal's state when its time comes, the command (None: skip it).
Step = Callable[[AppealState], cmd.Command | None]


@dataclass(order=True)
class Scheduled:
    at: datetime
    seq: int
    appeal: int = field(compare=False)
    actor: Actor = field(compare=False)
    make: Step | cmd.ReceiveAppeal = field(compare=False)


class Timetable:
    """The planned steps, earliest first, and the appeals' states, ids and the simulated time."""

    def __init__(self) -> None:
        self.queue: list[Scheduled] = []
        self.seq = 0
        self.states: dict[int, AppealState] = {}
        self.ids: dict[int, uuid.UUID] = {}
        self.now: datetime = datetime.now(UTC)

    def at(self, appeal: int, at: datetime, actor: Actor, make: Step | cmd.ReceiveAppeal) -> None:
        self.seq += 1
        heapq.heappush(self.queue, Scheduled(at, self.seq, appeal, actor, make))

    def drain(self) -> Iterator[Scheduled]:
        while self.queue:
            yield heapq.heappop(self.queue)
