"""Reactors on the projection engine: a reactor reacts to each event once through a real command
whose idempotency key derives from the triggering position, its position reaches the log head,
it shows in the status beside the views, a restart (or a crash before its position was tracked)
issues nothing again, a new version resumes where the previous one stood, a reactor that raises
stops at that event, and the live runner ticks its timer."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime

import psycopg
import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.application import AppealsApplication, IdempotencyClaim
from domain.shared.actors import Actor, Role
from infra.container import Container
from projections.engine.failures import HandlerFailed
from projections.engine.reactor import ReactorBatch
from projections.engine.runner import ProjectionEngine
from projections.engine.status import ProjectionStatus
from tests.support.appeals import OPERATOR, receive
from tests.support.engines import engine_for

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]
REGISTRAR = Actor(id="test-registrar", role=Role.OPERATOR, name="Регистратор")


class Registrar:
    """Registers every appeal received, once the appeals view lists it: one ``RegisterAppeal``
    per ``AppealReceived``, keyed by the received event's position."""

    version = 1
    topics = frozenset({"AppealReceived"})

    def __init__(self, name: str, app: AppealsApplication, pool: object) -> None:
        self.name = name
        self.app = app
        self.pool = pool
        self.seen: list[int] = []  # the positions it was handed, in order
        self.listed: list[bool] = []  # whether the view listed the appeal when it reacted
        self.fails_on: uuid.UUID | None = None

    def react(self, batch: ReactorBatch) -> None:
        for item in batch.events:
            assert isinstance(item.event, ev.AppealReceived)
            appeal_id = item.event.originator_id
            if appeal_id == self.fails_on:
                raise RuntimeError("registrar bug")
            self.seen.append(item.position)
            batch.wait_for_view("appeals", item.position)  # read the view as of the event
            self.listed.append(self._listed(appeal_id))
            self.app.handle(
                appeal_id,
                cmd.RegisterAppeal(),
                actor=REGISTRAR,
                idempotency=IdempotencyClaim(
                    principal=REGISTRAR.id,
                    key=f"{self.name}:{item.position}",  # the position, never the version
                    fingerprint="register",
                ),
            )

    def _listed(self, appeal_id: uuid.UUID) -> bool:
        with self.pool.connection() as conn:  # type: ignore[attr-defined]
            row = conn.execute("SELECT 1 FROM appeals WHERE appeal_id = %s", (appeal_id,))
            return row.fetchone() is not None


class Registrar2(Registrar):
    version = 2


@pytest.fixture
def name() -> str:
    return f"registrar_{uuid.uuid4().hex[:8]}"


def registrar_engine(container: Container, reactor: Registrar) -> ProjectionEngine:
    return engine_for(container, reactors=[reactor])


def received(app: AppealsApplication, n: int) -> list[tuple[uuid.UUID, int]]:
    results = [app.receive(receive(), actor=OPERATOR, idempotency=None) for _ in range(n)]
    return [(r.state.id, r.position) for r in results]


def registrations(app: AppealsApplication, appeal_id: uuid.UUID) -> int:
    return sum(isinstance(e, ev.AppealRegistered) for e in app.events_of(appeal_id))


def status_of(engine: ProjectionEngine, name: str) -> ProjectionStatus:
    (found,) = [s for s in engine.status() if s.name == name and s.active]
    return found


def to_the_head(engine: ProjectionEngine, name: str) -> ProjectionStatus:
    """Catch up until the reactor has read past the commands it issued itself."""
    for _ in range(5):
        engine.catch_up_all()
        status = status_of(engine, name)
        if status.position == engine.head():
            return status
    raise AssertionError(f"{name} did not reach the head")


@pytest.fixture
def reacted(
    app: AppealsApplication, container: Container, name: str
) -> tuple[Registrar, ProjectionEngine, list[tuple[uuid.UUID, int]]]:
    reactor = Registrar(name, app, container.pool)
    engine = registrar_engine(container, reactor)
    engine.ensure()  # registered now: its first build starts at the head, history is not replayed
    appeals = received(app, 4)
    to_the_head(engine, name)
    return reactor, engine, appeals


def test_a_reactor_issues_one_command_per_event_and_reaches_the_head(
    app: AppealsApplication,
    reacted: tuple[Registrar, ProjectionEngine, list[tuple[uuid.UUID, int]]],
    name: str,
) -> None:
    reactor, engine, appeals = reacted
    assert reactor.seen == [position for _, position in appeals]
    assert all(reactor.listed)  # it read the view as of each event
    assert all(registrations(app, appeal_id) == 1 for appeal_id, _ in appeals)
    status = status_of(engine, name)
    assert status.kind == "reactor" and status.state == "live"
    assert status.position == status.head == engine.head() and status.lag_events == 0
    assert status.error is None and engine.wait_for(name, engine.head()) == engine.head()
    views = {s.name: s.kind for s in engine.status() if s.active}
    assert views["appeals"] == "view"


def test_a_restarted_reactor_resumes_and_issues_nothing_again(
    app: AppealsApplication,
    container: Container,
    reacted: tuple[Registrar, ProjectionEngine, list[tuple[uuid.UUID, int]]],
    name: str,
    sql: Conn,
) -> None:
    _, _, appeals = reacted
    head = container.engine.head()
    restarted = Registrar(name, app, container.pool)
    registrar_engine(container, restarted).catch_up_all()
    assert restarted.seen == [] and container.engine.head() == head
    # A crash after the commands, before the position was tracked: the batch comes again.
    sql.execute(
        "UPDATE projection_builds SET position = %s WHERE name = %s AND active",
        (appeals[0][1] - 1, name),
    )
    crashed = Registrar(name, app, container.pool)
    status = to_the_head(registrar_engine(container, crashed), name)
    assert crashed.seen == [position for _, position in appeals]  # handed over again …
    assert container.engine.head() == head == status.position  # … and nothing appended twice
    assert all(registrations(app, appeal_id) == 1 for appeal_id, _ in appeals)


def test_a_new_version_resumes_where_the_previous_one_stood(
    app: AppealsApplication,
    container: Container,
    reacted: tuple[Registrar, ProjectionEngine, list[tuple[uuid.UUID, int]]],
    name: str,
) -> None:
    _, engine, _ = reacted
    before = status_of(engine, name)
    newer = Registrar2(name, app, container.pool)
    upgraded = registrar_engine(container, newer)
    upgraded.ensure()
    (build,) = upgraded.runnable([name])
    assert build.version == 2 and upgraded.positions([build])[build] == before.position
    later = received(app, 1)
    to_the_head(upgraded, name)
    assert newer.seen == [later[0][1]]  # history is not replayed: only what came after
    assert upgraded.active(name) == build
    states = {(s.version, s.generation): s.state for s in upgraded.status() if s.name == name}
    assert states[(1, 1)] == "retired"


def test_a_reactor_that_raises_stops_at_that_event_and_shows_failed(
    app: AppealsApplication, container: Container, name: str
) -> None:
    reactor = Registrar(name, app, container.pool)
    engine = registrar_engine(container, reactor)
    engine.ensure()
    good = received(app, 2)
    bad = received(app, 1)
    reactor.fails_on = bad[0][0]
    received(app, 1)
    container.engine.catch_up_all()  # the views
    with pytest.raises(HandlerFailed) as caught:
        engine.catch_up(engine.runnable([name]))
    assert caught.value.position == bad[0][1]
    status = next(s for s in engine.status() if s.name == name)
    assert status.state == "failed" and status.error_position == bad[0][1]
    assert status.position == bad[0][1] - 1 and "registrar bug" in (status.error or "")
    assert [f.projection for f in engine.failed()].count(name) == 1
    # The events before the failing one were reacted to once, though the batch came twice.
    assert all(registrations(app, appeal_id) == 1 for appeal_id, _ in good)
    assert registrations(app, bad[0][0]) == 0
    reactor.fails_on = None  # fixed and run again, it resumes from the tracked position
    engine.catch_up(engine.runnable([name]))
    assert registrations(app, bad[0][0]) == 1
    assert next(s for s in engine.status() if s.name == name).error is None


class Ticker:
    """A timer-driven reactor: it counts its ticks."""

    version = 1
    topics = frozenset({"AppealReceived"})
    tick_seconds = 0.05

    def __init__(self, name: str) -> None:
        self.name = name
        self.ticks: list[datetime] = []
        self.ticked_twice = threading.Event()
        self.positions: list[int] = []

    def react(self, batch: ReactorBatch) -> None:
        self.positions += [item.position for item in batch.events]

    def tick(self, now: datetime) -> None:
        self.ticks.append(now)
        if len(self.ticks) >= 2:
            self.ticked_twice.set()


def test_the_live_runner_reacts_and_ticks_the_timer(
    app: AppealsApplication, container: Container, name: str
) -> None:
    ticker = Ticker(name)
    engine = engine_for(container, reactors=[ticker], poll_seconds=0.2)
    container.engine.catch_up_all()
    engine.start()
    try:
        ((_, position),) = received(app, 1)
        assert engine.wait_for(name, position, timeout=10) >= position
        assert ticker.ticked_twice.wait(10)
    finally:
        engine.stop()
    assert position in ticker.positions
    assert ticker.ticks == sorted(ticker.ticks) and ticker.ticks[0].tzinfo is not None
    status = status_of(engine, name)
    assert status.kind == "reactor" and status.ticked_at is not None
