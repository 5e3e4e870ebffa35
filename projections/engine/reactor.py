"""What a reactor declares to the engine, and what the engine hands it: a reactor reads the log
like a view but issues commands instead of writing rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from projections.engine.failures import Undecodable, UndecodableEvent
from projections.engine.model import Batch, Build, Event


class Reactor(Protocol):
    """A process manager on the engine: it turns recorded events (and, optionally, a timer) into
    commands.

    **Declaration.** Like a view: ``name``, ``version``, and ``topics`` (the event types it reads;
    None: all of them). Optional attributes, read with ``getattr``:

    - ``replay: bool`` (default False). Where a new build starts. By default a reactor never
      replays history, since that would issue its side effects again: the first version starts
      at the head of the log when it is registered, and a new version (or a new generation, as
      ``rebuild`` makes) starts where the previous build's tracking stood (the active one, else
      the furthest). With ``replay = True`` every new build reads the log from its beginning.
    - ``tick_seconds: float | None`` and ``tick(now)``: a timer source, for deadlines that come
      due. The live runner of the active build calls ``tick`` with the engine's clock about every
      ``tick_seconds`` seconds, under the build's advisory lock (one ticker across processes);
      the last tick's time shows in the status. A build stopped on an event stops ticking too,
      until it is repaired. A tick that raises is logged and tried again on
      the next round (a timer has no position to stop at).

    **Running.** The engine hands ``react`` each batch of recorded events it reads (position and
    decoded event, in log order, only the declared topics), outside any transaction of the
    engine's: the commands it issues commit on their own. After ``react`` returns, the engine
    records the build's position (the batch's last) in a small transaction of its own. A reactor
    that must read a view as of the triggering event (the re-timer reads the SLA view's open
    deadlines) calls ``batch.wait_for_view(name, position)`` first.

    **Exactly once is the reactor's job.** A crash between a command and the tracking update
    means the batch is handed over again on restart, and two builds of one reactor run side by
    side while a new one catches up. So every command a reactor issues carries an idempotency
    key derived from the triggering event's position (and what the command is about, e.g.
    ``f"{name}:{position}:{appeal_id}"``; never the reactor's version or generation): the second
    attempt finds the first one's record and appends nothing. A timer's commands are made
    idempotent by the aggregate's own rules (a breach already recorded is refused).

    **Failures.** As for a view: connection trouble (and a view that is not there yet) is retried
    in live mode; any other error raised on an event stops the reactor's build at that event,
    marked failed in the status, the events before it tracked. To find that event the engine
    hands the batch over again one event at a time, so ``react`` must tolerate seeing an event
    again (it does, by the keys above)."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> int: ...

    @property
    def topics(self) -> frozenset[str] | None: ...

    def react(self, batch: ReactorBatch) -> None:
        """Issue the commands the batch's events call for (idempotently, see above)."""


@dataclass(frozen=True)
class ReactorBatch:
    """One batch for one reactor build: its events and a way to wait for a view."""

    events: Sequence[Event]
    build: Build
    wait: Callable[[str, int, float], int]

    def __post_init__(self) -> None:
        for item in self.events:
            if item.event.__class__ is Undecodable:
                raise UndecodableEvent(item.event.error)

    def wait_for_view(self, name: str, position: int, timeout: float = 30.0) -> int:
        """Wait until view ``name`` has applied ``position`` (its position); ProjectionBehind
        after ``timeout`` seconds, ProjectionFailed at once when it failed short of it: the
        engine hands the batch over again later."""
        return self.wait(name, position, timeout)


class Reacting:
    """A reactor as the engine's registry holds it: a build with no tables, run by the reactor
    applier (``react.py``) instead of in a view's transaction."""

    tables: tuple[str, ...] = ()
    ddl = ""
    indexes = ""
    raw = False

    def __init__(self, reactor: Reactor) -> None:
        self.reactor = reactor
        self.name = reactor.name
        self.version = reactor.version
        self.topics = reactor.topics
        self.replay = bool(getattr(reactor, "replay", False))
        # work that may wait for spare CPU (the redaction copies): run in the background lane
        self.background = bool(getattr(reactor, "background", False))
        seconds = getattr(reactor, "tick_seconds", None)
        self.tick_seconds: float | None = float(seconds) if seconds else None

    def tick(self, now: datetime) -> None:
        ticker: Callable[[datetime], Any] | None = getattr(self.reactor, "tick", None)
        if ticker is not None:
            ticker(now)

    def apply(self, batch: Batch) -> None:
        raise TypeError(f"{self.name} is a reactor: its batches go to react, not apply")


# A runner's share of the builds: "all"; "foreground" — the views and the reactors whose work is
# awaited (deadlines, the outbox); "background" — the reactors marked ``background`` (the
# redaction copies), which a deployment runs in a process of its own at a lower CPU priority, so
# a storm of appeals slows the copies, never the views or the requests.
Lane = Literal["all", "foreground", "background"]
LANES: tuple[Lane, ...] = ("all", "foreground", "background")


def in_lane(declared: object, lane: Lane) -> bool:
    background = isinstance(declared, Reacting) and declared.background
    return lane == "all" or (lane == "background") == background
