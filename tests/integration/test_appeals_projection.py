"""The appeals read model: fed from the notification log, exactly-once, equal to a rebuild."""

from __future__ import annotations

from typing import Any

import msgspec
import psycopg
import pytest

from domain.appeals import commands as cmd
from domain.appeals.application import AppealsApplication
from domain.appeals.state import AppealState
from infra.container import Container
from projections.appeals import AppealFilter, AppealsProjection
from projections.engine.runner import Event, ProjectionEngine
from tests.support.appeals import ASSIGN, CATEGORISE, OPERATOR, receive

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]


def view_rows(sql: Conn) -> list[tuple[object, ...]]:
    return sql.execute(
        "SELECT appeal_id, version, position, status, department, state::text FROM appeals_v1"
        " ORDER BY appeal_id"
    ).fetchall()


def test_the_view_shows_the_state_the_events_fold_to(
    app: AppealsApplication, container: Container
) -> None:
    result = app.receive(receive(), actor=OPERATOR, idempotency=None)
    appeal_id = result.state.id
    for command in (cmd.RegisterAppeal(), CATEGORISE, ASSIGN):
        result = app.handle(appeal_id, command, actor=OPERATOR)
    container.engine.catch_up_all()
    found = container.queries.get(appeal_id)
    assert found is not None
    raw, version = found
    assert version == 4
    assert msgspec.json.decode(raw, type=AppealState) == app.state(appeal_id)


def test_the_live_runner_is_woken_by_the_append(
    app: AppealsApplication, container: Container
) -> None:
    container.engine.start()
    try:
        result = app.receive(receive(), actor=OPERATOR, idempotency=None)
        assert container.engine.wait_for("appeals", result.position, timeout=10)
        assert container.queries.get(result.state.id) is not None
    finally:
        container.engine.stop()
        container.engine._stop.clear()


def test_a_rebuild_gives_the_same_rows(
    app: AppealsApplication, container: Container, sql: Conn
) -> None:
    for _ in range(5):
        r = app.receive(receive(), actor=OPERATOR, idempotency=None)
        app.handle(r.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
    container.engine.catch_up_all()
    live = view_rows(sql)
    count, _ = container.engine.rebuild("appeals")
    assert count >= len(live)
    assert view_rows(sql) == live


class _Failing(AppealsProjection):
    def apply(self, conn: psycopg.Connection[Any], events: Any) -> None:
        raise RuntimeError("handler bug")


def test_a_failed_batch_writes_nothing_and_is_reported(
    app: AppealsApplication, container: Container, sql: Conn
) -> None:
    container.engine.catch_up_all()
    before = view_rows(sql)
    tracked = sql.execute(
        "SELECT position FROM projection_tracking WHERE name = 'appeals'"
    ).fetchone()
    r = app.receive(receive(), actor=OPERATOR, idempotency=None)
    engine = ProjectionEngine(
        application=app,
        pool=container.pool,
        conninfo=container.info.conninfo,
        projections=[_Failing()],
    )
    with pytest.raises(RuntimeError, match="handler bug"):
        engine.run_once(_Failing())
    row = sql.execute(
        "SELECT position, state, error, error_position FROM projection_tracking WHERE name = 'appeals'"
    ).fetchone()
    assert row is not None and tracked is not None
    assert row[0] == tracked[0] and row[1] == "failed" and "handler bug" in str(row[2])
    assert row[3] == r.position
    assert view_rows(sql) == before
    container.engine.catch_up_all()  # the fixed handler resumes from the committed position
    assert sql.execute(
        "SELECT state FROM projection_tracking WHERE name = 'appeals'"
    ).fetchone() == ("live",)


def test_the_list_is_filtered_and_paginated_newest_first(
    app: AppealsApplication, container: Container
) -> None:
    department = f"Отдел {id(app)}"
    ids = []
    for _ in range(5):
        r = app.receive(receive(), actor=OPERATOR, idempotency=None)
        app.handle(r.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
        app.handle(r.state.id, cmd.AssignAppeal(department=department), actor=OPERATOR)
        ids.append(r.state.id)
    container.engine.catch_up_all()
    seen = []
    cursor = None
    while True:
        page = container.queries.list(AppealFilter(department=department), limit=2, cursor=cursor)
        seen += [msgspec.json.decode(raw, type=AppealState).id for raw in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == list(reversed(ids))


def test_events_are_decoded_with_their_positions(
    app: AppealsApplication, container: Container
) -> None:
    r = app.receive(receive(), actor=OPERATOR, idempotency=None)
    batch = container.engine.read(r.position - 1, 1)
    assert batch == [
        Event(position=r.position, topic="AppealReceived", event=app.events_of(r.state.id)[0])
    ]
