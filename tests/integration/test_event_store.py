"""The event store on PostgreSQL: append and reload, concurrency, idempotency, immutability, as-of."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import psycopg
import pytest

from domain.appeals import commands as cmd
from domain.appeals.application import AppealsApplication, CommandResult, IdempotencyClaim
from domain.appeals.vocabulary import Status
from domain.shared.errors import ConcurrencyConflict, IdempotencyKeyReused, VersionMismatch
from tests.conftest import event_count
from tests.support.appeals import ASSIGN, CATEGORISE, CURATOR, OPERATOR, receive

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]


def registered(app: AppealsApplication) -> CommandResult:
    result = app.receive(receive(), actor=OPERATOR, idempotency=None)
    return app.handle(result.state.id, cmd.RegisterAppeal(), actor=OPERATOR)


def test_appended_events_reload_into_the_same_state(app: AppealsApplication) -> None:
    result = registered(app)
    app.handle(result.state.id, CATEGORISE, actor=OPERATOR)
    final = app.handle(result.state.id, ASSIGN, actor=OPERATOR)
    assert app.state(result.state.id) == final.state
    assert final.state.version == 4 and final.state.status is Status.ASSIGNED
    assert final.state.registration_number is not None
    assert final.state.registration_number.startswith("ПОС-")
    history = app.history(result.state.id)
    assert [h.event.originator_version for h in history] == [1, 2, 3, 4]
    positions = [h.position for h in history]
    assert positions == sorted(positions) and history[-1].position == final.position


def test_a_stale_expected_version_is_refused(app: AppealsApplication, sql: Conn) -> None:
    result = registered(app)
    before = event_count(sql)
    with pytest.raises(VersionMismatch, match="not the expected version 1"):
        app.handle(result.state.id, CATEGORISE, actor=OPERATOR, expected_version=1)
    assert event_count(sql) == before


def test_two_concurrent_writers_on_one_version_exactly_one_wins(
    app: AppealsApplication, sql: Conn
) -> None:
    result = registered(app)
    appeal_id = result.state.id
    # Both writers load version 2 and decide before either saves.
    barrier = threading.Barrier(2)
    original_save = app.save
    outcomes: list[object] = []

    def synchronised_save(*args: object, **kwargs: object) -> object:
        barrier.wait(timeout=10)
        return original_save(*args, **kwargs)  # type: ignore[arg-type]

    app.save = synchronised_save  # type: ignore[method-assign,assignment]
    try:

        def write(department: str) -> None:
            try:
                outcomes.append(
                    app.handle(appeal_id, cmd.AssignAppeal(department=department), actor=OPERATOR)
                )
            except ConcurrencyConflict as conflict:
                outcomes.append(conflict)

        threads = [threading.Thread(target=write, args=(d,)) for d in ("ЖКХ", "Культура")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
    finally:
        del app.save
    assert sorted(type(o).__name__ for o in outcomes) == ["CommandResult", "ConcurrencyConflict"]
    assert app.state(appeal_id).version == 3


def test_an_idempotent_retry_returns_the_first_result_and_appends_nothing(
    app: AppealsApplication, sql: Conn
) -> None:
    claim = IdempotencyClaim(principal=OPERATOR.id, key=f"k-{time.time_ns()}", fingerprint="f1")
    first = app.receive(receive(), actor=OPERATOR, idempotency=claim)
    count = event_count(sql)
    again = app.receive(receive(), actor=OPERATOR, idempotency=claim)
    assert again.replayed and again.state == first.state and again.position == first.position
    assert event_count(sql) == count
    with pytest.raises(IdempotencyKeyReused):
        app.receive(
            receive(),
            actor=OPERATOR,
            idempotency=IdempotencyClaim(principal=OPERATOR.id, key=claim.key, fingerprint="f2"),
        )


def test_an_idempotency_key_belongs_to_its_principal(app: AppealsApplication) -> None:
    key = f"k-{time.time_ns()}"
    mine = app.receive(
        receive(),
        actor=OPERATOR,
        idempotency=IdempotencyClaim(principal=OPERATOR.id, key=key, fingerprint="f"),
    )
    theirs = app.receive(
        receive(),
        actor=CURATOR,
        idempotency=IdempotencyClaim(principal=CURATOR.id, key=key, fingerprint="f"),
    )
    assert mine.state.id != theirs.state.id and not theirs.replayed


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE otklik_events SET topic = 'AppealClosed'",
        "DELETE FROM otklik_events",
        "TRUNCATE otklik_events",
    ],
)
def test_the_event_table_refuses_to_change_history(
    app: AppealsApplication, sql: Conn, statement: str
) -> None:
    registered(app)
    before = event_count(sql)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        sql.execute(statement)
    assert event_count(sql) == before


def test_the_application_role_holds_no_update_delete_or_truncate(sql: Conn) -> None:
    row = sql.execute("SELECT 1 FROM pg_roles WHERE rolname = 'otklik_app'").fetchone()
    assert row is not None, "the migration creates the otklik_app role"
    privileges = sql.execute(
        "SELECT privilege_type FROM information_schema.role_table_grants"
        " WHERE grantee = 'otklik_app' AND table_name = 'otklik_events'"
    ).fetchall()
    assert {p[0] for p in privileges} == {"SELECT", "INSERT"}


def test_the_state_as_of_a_moment_replays_only_what_was_recorded_by_then(
    app: AppealsApplication,
) -> None:
    result = registered(app)
    appeal_id = result.state.id
    between = result.state.last_recorded_at  # when the registration was recorded
    app.handle(appeal_id, CATEGORISE, actor=OPERATOR)
    app.handle(appeal_id, ASSIGN, actor=OPERATOR)
    then = app.state_as_of(appeal_id, between)
    assert then.version == 2 and then.status is Status.REGISTERED and then.topic is None
    assert app.state_as_of(appeal_id, datetime.now(UTC)) == app.state(appeal_id)
