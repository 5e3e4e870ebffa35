"""Group commit: commands appended together share a transaction, yet each keeps its own conflict
and idempotency checks, and a reader tailing the log under many writers skips nothing."""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.appeals.application import AppealsApplication, IdempotencyClaim, IdempotencyRecord
from domain.shared.handler import Decision
from infra.container import Container
from infra.eventstore import OtklikRecorder
from infra.group_commit import _Append
from tests.conftest import event_count
from tests.support.appeals import OPERATOR, receive

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]


def _recorder(app: AppealsApplication) -> OtklikRecorder:
    recorder = app.recorder
    assert isinstance(recorder, OtklikRecorder)
    return recorder


def _stored(app: AppealsApplication) -> tuple[StoredEvent, ...]:
    """A new appeal's events, decided as the handler decides them, as the mapper stores them
    (not yet appended): the views read them like any other."""
    stream = uuid.uuid4()
    context = Decision(stream_id=stream, version=0, actor=OPERATOR, now=app.clock())
    events = app.decider.decide(None, receive(), context)
    return tuple(app.mapper.to_stored_event(e) for e in events)


def test_a_conflicting_command_in_a_group_fails_alone(
    app: AppealsApplication, container: Container, sql: Conn
) -> None:
    recorder = _recorder(app)
    taken = app.receive(receive(), actor=OPERATOR, idempotency=None)
    clash = recorder.select_events(taken.state.id)[0]  # version 1 of a stream that has it
    good, other = _stored(app), _stored(app)
    key = f"group-{time.time_ns()}"
    record = IdempotencyRecord(
        principal=OPERATOR.id,
        key=key,
        fingerprint="f",
        stream_id=uuid.UUID(str(good[0].originator_id)),
        version=1,
    )
    twice = IdempotencyRecord(
        principal=OPERATOR.id,
        key=key,
        fingerprint="f",
        stream_id=uuid.UUID(str(other[0].originator_id)),
        version=1,
    )
    group = [
        _Append(good, {"idempotency": record}),
        _Append((clash,), {}),  # the stream's version 1 again: a lost race
        _Append(other, {"idempotency": twice}),  # the same key again: refused
    ]
    before = event_count(sql)
    recorder.group_commit._write(group)
    assert all(item.done for item in group)
    assert group[0].error is None and group[0].ids
    assert isinstance(group[1].error, IntegrityError) and group[1].ids is None
    assert isinstance(group[2].error, IntegrityError) and group[2].ids is None
    assert event_count(sql) == before + 1
    found = recorder.find_idempotency(OPERATOR.id, key)
    assert found is not None and str(found.stream_id) == str(good[0].originator_id)
    container.engine.catch_up_all()  # the views read what the group appended like any event
    assert container.engine.failed() == []


def test_concurrent_commands_with_one_key_append_once(app: AppealsApplication, sql: Conn) -> None:
    claim = IdempotencyClaim(principal=OPERATOR.id, key=f"g-{time.time_ns()}", fingerprint="f")
    results: list[object] = []
    barrier = threading.Barrier(8)
    before = event_count(sql)

    def send() -> None:
        barrier.wait(10)
        results.append(app.receive(receive(), actor=OPERATOR, idempotency=claim))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 8
    assert len({r.state.id for r in results}) == 1  # type: ignore[attr-defined]
    assert event_count(sql) == before + 1


def _after(conn: psycopg.Connection[tuple[object, ...]], after: int, limit: int) -> list[int]:
    rows = conn.execute(
        "SELECT notification_id FROM otklik_events WHERE notification_id > %s"
        " ORDER BY notification_id LIMIT %s",
        (after, limit),
    ).fetchall()
    return [int(str(r[0])) for r in rows]


def test_a_reader_tailing_the_log_under_16_writers_skips_nothing(
    app: AppealsApplication, sql: Conn
) -> None:
    row = sql.execute("SELECT coalesce(max(notification_id), 0) FROM otklik_events").fetchone()
    start = int(str(row[0])) if row else 0
    stop = threading.Event()
    seen: list[int] = []
    written: list[int] = []

    def tail() -> None:
        last = start
        with psycopg.connect(sql.info.dsn, autocommit=True) as conn:
            while not stop.is_set() or last < max(written, default=start):
                for position in _after(conn, last, 500):
                    seen.append(position)
                    last = position

    def write() -> None:
        for _ in range(25):
            written.append(app.receive(receive(), actor=OPERATOR, idempotency=None).position)

    reader = threading.Thread(target=tail)
    reader.start()
    writers = [threading.Thread(target=write) for _ in range(16)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(60)
    stop.set()
    reader.join(30)
    logged = _after(sql, start, 1_000_000)
    assert len(written) == 400
    assert set(written) <= set(logged)
    assert seen == logged[: len(seen)] and set(seen) >= set(written)
