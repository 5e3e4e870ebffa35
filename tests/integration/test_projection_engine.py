"""The projection engine on the real event store: exactly-once batches, versioned builds that take
over atomically, failures that stop one projection only, the polling fallback, two workers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import msgspec
import psycopg
import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.application import AppealsApplication
from infra.container import Container
from infra.event_codec import decode_event, topic_of
from projections.appeals import AppealFilter, AppealsProjection, AppealSummary
from projections.engine.model import Build, ProjectionBehind
from projections.engine.runner import HandlerFailed, ProjectionEngine
from tests.support.appeals import ASSIGN, CATEGORISE, OPERATOR, receive
from tests.support.engines import Fragile, before_the_directory, engine_for, make_appeals

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]


@pytest.fixture
def live(container: Container) -> Iterator[ProjectionEngine]:
    container.engine.start()
    try:
        yield container.engine
    finally:
        container.engine.stop()


def listed(container: Container, appeal_id: UUID, **where: Any) -> AppealSummary | None:
    page = container.queries.list(AppealFilter(**where), limit=200, cursor=None)
    return next((item for item in page.items if item.id == appeal_id), None)


def test_the_list_shows_what_the_events_fold_to(
    app: AppealsApplication, container: Container
) -> None:
    result = app.receive(receive(), actor=OPERATOR, idempotency=None)
    appeal_id = result.state.id
    for command in (cmd.RegisterAppeal(), CATEGORISE, ASSIGN):
        result = app.handle(appeal_id, command, actor=OPERATOR)
    container.engine.catch_up_all()
    summary = listed(container, appeal_id, department=ASSIGN.department)
    state = app.state(appeal_id)
    assert summary is not None and summary.version == state.version == 4
    fields = [f for f in AppealSummary.__struct_fields__ if f not in ("breached", "is_repeat")]
    expected = {f: getattr(state, f) for f in fields}
    listed_fields = msgspec.structs.asdict(summary)
    assert {f: listed_fields[f] for f in fields} == expected and summary.breached == []
    assert summary.is_repeat is (state.repeat_of is not None)


def test_a_restarted_runner_folds_what_it_has_not_seen_from_the_log(
    app: AppealsApplication, container: Container
) -> None:
    r = app.receive(receive(), actor=OPERATOR, idempotency=None)
    app.handle(r.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
    container.engine.catch_up_all()
    fresh = engine_for(container)  # another process: nothing in its memory
    app.handle(r.state.id, CATEGORISE, actor=OPERATOR)
    app.handle(r.state.id, ASSIGN, actor=OPERATOR)
    fresh.catch_up(fresh.runnable())
    summary = listed(container, r.state.id, department=ASSIGN.department)
    assert summary is not None and summary.version == 4 and summary.topic == CATEGORISE.topic


def test_the_live_runner_is_woken_by_the_append(
    app: AppealsApplication, live: ProjectionEngine, container: Container
) -> None:
    result = app.receive(receive(), actor=OPERATOR, idempotency=None)
    assert live.wait_for("appeals", result.position, timeout=10) >= result.position
    assert listed(container, result.state.id) is not None


def test_read_your_writes_gives_up_with_a_clear_error(container: Container) -> None:
    container.engine.catch_up_all()
    beyond = container.engine.head() + 1000
    with pytest.raises(ProjectionBehind) as caught:
        container.engine.wait_for("appeals", beyond, timeout=0.2)
    assert caught.value.wanted == beyond and caught.value.reached < beyond


def test_a_lost_notification_does_not_stall_the_view(
    app: AppealsApplication, container: Container
) -> None:
    # This engine listens on a channel nobody notifies: only the polling fallback wakes it.
    deaf = engine_for(container, channel="otklik_nobody_notifies", poll_seconds=0.2)
    container.engine.catch_up_all()
    deaf.start()
    try:
        result = app.receive(receive(), actor=OPERATOR, idempotency=None)
        assert deaf.wait_for("appeals", result.position, timeout=10) >= result.position
    finally:
        deaf.stop()


def test_a_rebuild_builds_beside_the_live_one_and_takes_over(
    app: AppealsApplication, container: Container
) -> None:
    make_appeals(app, 5)
    engine = container.engine
    engine.catch_up_all()
    before = {name: engine.active(name) for name in engine.projections}
    sums = {b.name: engine.checksums(b) for b in before.values() if b is not None}
    builds, progress = engine.rebuild(list(engine.projections), resume=False)
    assert progress.activated and progress.events >= 15
    for build in builds:
        old = before[build.name]
        assert old is not None and build.generation == old.generation + 1
        assert engine.active(build.name) == build
        # Determinism: the same log gives the same tables, row for row.
        assert engine.checksums(build) == sums[build.name]
    states = {(s.name, s.generation): s.state for s in engine.status()}
    for build in builds:
        assert states[(build.name, build.generation)] in ("live", "stopped")
        assert states[(build.name, build.generation - 1)] == "retired"
    # A retired build can be dropped; the active one cannot.
    for build in builds:
        engine.drop(Build(build.name, build.version, build.generation - 1))
        with pytest.raises(ValueError, match="active"):
            engine.drop(build)


def test_readers_never_see_a_half_built_view(app: AppealsApplication, container: Container) -> None:
    make_appeals(app, 30, department="Отдел непрерывных чтений")
    engine = container.engine
    engine.catch_up_all()
    where = AppealFilter(department="Отдел непрерывных чтений")
    expected = container.queries.list(where, limit=200, cursor=None).items
    assert len(expected) == 30
    answers: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                answers.append(len(container.queries.list(where, limit=200, cursor=None).items))
            except BaseException as error:
                errors.append(error)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        for _ in range(3):
            engine.rebuild(["appeals"], resume=False)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert not errors
    assert answers and set(answers) == {30}


def test_a_handler_error_stops_that_projection_only_at_the_failing_event(
    app: AppealsApplication, container: Container, sql: Conn
) -> None:
    fragile = Fragile()
    engine = engine_for(container, projections=[AppealsProjection(), fragile])
    engine.catch_up_all()
    good = make_appeals(app, 3)
    bad = make_appeals(app, 1, department=Fragile.poison)
    after = make_appeals(app, 2)
    with pytest.raises(HandlerFailed) as caught:
        engine.catch_up(engine.runnable())
    assert caught.value.position == bad  # the assignment to the poisoned department
    status = {s.name: s for s in engine.status()}
    assert status["fragile"].state == "failed"
    assert status["fragile"].error_position == bad
    assert "handler bug" in (status["fragile"].error or "")
    # The events before the failing one are committed; the other projection went on.
    assert status["fragile"].position == bad - 1 >= good
    assert status["appeals"].position >= after and status["appeals"].state != "failed"
    rows = sql.execute("SELECT count(*) FROM fragile_assignments").fetchone()
    assert rows is not None and int(str(rows[0])) > 0
    # Fixed and restarted, it resumes from the committed position.
    fragile.fixed = True
    engine.catch_up(engine.runnable())
    status = {s.name: s for s in engine.status()}
    assert status["fragile"].error is None and status["fragile"].position >= after


def test_two_workers_apply_every_event_exactly_once(
    app: AppealsApplication, container: Container
) -> None:
    container.engine.catch_up_all()
    first, second = engine_for(container), engine_for(container)
    first.start()
    second.start()
    try:
        done = threading.Event()

        def write() -> None:
            make_appeals(app, 40, department="Отдел двух воркеров")
            done.set()

        writer = threading.Thread(target=write)
        writer.start()
        writer.join()
        head = container.engine.head()
        first.wait_for("appeals", head, timeout=20)
        first.wait_for("department_days", head, timeout=20)
    finally:
        first.stop()
        second.stop()
    engine = container.engine
    live = {name: engine.active(name) for name in engine.projections}
    builds, _ = engine.rebuild(list(engine.projections), resume=False)
    for build in builds:
        old = live[build.name]
        assert old is not None
        assert engine.checksums(build) == engine.checksums(old)


def test_the_department_view_agrees_with_the_raw_events(
    app: AppealsApplication, container: Container, sql: Conn
) -> None:
    make_appeals(app, 4, department="Отдел сверки")
    container.engine.catch_up_all()
    row = sql.execute(
        "SELECT (SELECT coalesce(sum(received), 0) FROM department_days),"
        " (SELECT count(*) FROM otklik_events WHERE split_part(topic, '@', 1) = 'AppealReceived'),"
        " (SELECT coalesce(sum(assigned), 0) FROM department_days WHERE department = 'Отдел сверки'),"
        " (SELECT count(*) FROM otklik_events WHERE split_part(topic, '@', 1) = 'AppealAssigned'"
        "   AND convert_from(state, 'UTF8')::json->>'department' = 'Отдел сверки')"
    ).fetchone()
    assert row is not None
    assert row[0] == row[1] and row[2] == row[3] == 4


def test_the_department_view_counts_per_municipality_on_its_local_day(
    app: AppealsApplication, container: Container, sql: Conn
) -> None:
    """One instant, 21:30 UTC on 1 June 2026: still 1 June in Kaliningrad (23:30), already
    2 June in Moscow (00:30) and in Vladivostok (07:30)."""
    regional = msgspec.structs.replace(
        app.policy,
        municipalities={"kaliningrad": "Europe/Kaliningrad", "vladivostok": "Asia/Vladivostok"},
    )
    department = f"Отдел часовых поясов {time.monotonic_ns()}"
    at = datetime(2026, 6, 1, 21, 30, tzinfo=UTC)
    app.use_clock_source(lambda: regional)
    try:
        for municipality in ("kaliningrad", "vladivostok", None):
            r = app.receive(
                receive(municipality=municipality, occurred_at=at), actor=OPERATOR, idempotency=None
            )
            app.handle(r.state.id, cmd.RegisterAppeal(occurred_at=at), actor=OPERATOR)
            with before_the_directory(app):  # a name the test reads its view by
                app.handle(
                    r.state.id,
                    cmd.AssignAppeal(department=department, occurred_at=at),
                    actor=OPERATOR,
                )
    finally:
        app.use_clock_source(container.sla_clock)
    container.engine.catch_up_all()
    rows = sql.execute(
        "SELECT municipality, day, assigned FROM department_days WHERE department = %s"
        " ORDER BY municipality",
        (department,),
    ).fetchall()
    assert rows == [
        ("", date(2026, 6, 2), 1),  # the default municipality: Moscow time
        ("kaliningrad", date(2026, 6, 1), 1),
        ("vladivostok", date(2026, 6, 2), 1),
    ]


def test_the_list_is_filtered_and_paginated_newest_first(
    app: AppealsApplication, container: Container
) -> None:
    department = f"Отдел {time.monotonic_ns()}"
    ids: list[UUID] = []
    for _ in range(5):
        r = app.receive(receive(), actor=OPERATOR, idempotency=None)
        app.handle(r.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
        with before_the_directory(app):  # a name the test filters its view by
            app.handle(r.state.id, cmd.AssignAppeal(department=department), actor=OPERATOR)
        ids.append(r.state.id)
    container.engine.catch_up_all()
    seen = []
    cursor = None
    while True:
        page = container.queries.list(AppealFilter(department=department), limit=2, cursor=cursor)
        seen += [item.id for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == list(reversed(ids))


def test_events_are_read_in_log_order_with_their_positions(
    app: AppealsApplication, container: Container
) -> None:
    r = app.receive(receive(), actor=OPERATOR, idempotency=None)
    rows = container.engine.read(r.position - 1, 1)
    assert [(p, t) for p, t, _ in rows] == [(r.position, topic_of(ev.AppealReceived))]
    opened = decode_event(rows[0][1], rows[0][2], container.keyring)
    assert opened == app.events_of(r.state.id)[0]


def test_builds_of_one_group_at_different_positions_each_apply_every_event_once(
    app: AppealsApplication, container: Container
) -> None:
    # A rebuild killed between two builds' commits resumes them at different positions.
    make_appeals(app, 10)
    engine = engine_for(container)
    engine.ensure()
    ahead = engine.new_generation("department_days")
    behind = engine.new_generation("appeals")
    first = engine.targets([ahead])
    for _ in range(5):
        engine.step(first, 7)
    engine.catch_up([behind, ahead], limit=7, activate=False)
    clean, _ = engine.rebuild(["department_days", "appeals"], resume=False)
    assert engine.checksums(ahead) == engine.checksums(clean[0])
    assert engine.checksums(behind) == engine.checksums(clean[1])
