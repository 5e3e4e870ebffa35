"""Read models that cannot be poisoned: events already in a log, written before the input domain
refused such values (a NUL in a text, a reach beyond bigint, business times at the ends of the
calendar), are held by every view; and an event the code cannot decode stops the builds that
want it visibly, at its position, instead of a silent retry."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec
import pytest
from eventsourcing.persistence import StoredEvent
from psycopg.types.json import Jsonb

from domain.appeals import commands as cmd
from domain.appeals.decide import decide
from domain.claims import events as claim_ev
from domain.shared.actors import Actor, Role
from infra.container import Container
from infra.database import ConnectionInfo
from projections.engine.model import Batch, Build
from projections.engine.runner import HandlerFailed
from tests.conftest import own_database
from tests.support.appeals import OPERATOR, receive

pytestmark = pytest.mark.integration
CURATOR = Actor(id="cur-1", role=Role.CURATOR, name="Куратор")
HUGE = 2**64 - 1  # what a claim source's reach once held


@pytest.fixture(scope="module")
def poisoned(db_server: ConnectionInfo) -> Iterator[Container]:
    with own_database(db_server, "poisoned") as (container, _info):
        yield container


def append(container: Container, *events: Any) -> int:
    """Append events as an older version of the code wrote them (no input rule applies)."""
    app = container.appeals
    recordings = app.recorder.insert_events([app.mapper.to_stored_event(e) for e in events])
    return max(r for r in recordings or [0] if isinstance(r, int)) if recordings else 0


def decided(container: Container, appeal_id: uuid.UUID, command: cmd.Command) -> Any:
    app = container.appeals
    state = app.state(appeal_id)
    (event,) = decide(state, command, actor=OPERATOR, now=app.clock(), policy=app.policy)
    return event


def poisoned_appeal(container: Container) -> uuid.UUID:
    """An appeal whose registration number, topic, department, executor and sector hold NUL."""
    app = container.appeals
    received = app.receive(receive(), actor=OPERATOR, idempotency=None).state.id
    registered = decided(container, received, cmd.RegisterAppeal(registration_number="ПОС-1"))
    append(container, msgspec.structs.replace(registered, registration_number="ПОС\x00-1"))
    categorised = decided(container, received, cmd.CategoriseAppeal(topic="ЖКХ", essence="e"))
    append(container, msgspec.structs.replace(categorised, topic="t\x00x", essence="e\x00"))
    assigned = decided(container, received, cmd.AssignAppeal(department="Отдел"))
    append(
        container,
        msgspec.structs.replace(assigned, department="От\x00дел", executor="И\x00", sector="\x00"),
    )
    return received


def poisoned_claim() -> claim_ev.ClaimDetected:
    now = datetime.now(UTC)
    return claim_ev.ClaimDetected(
        originator_id=uuid.uuid4(),
        originator_version=1,
        timestamp=now,
        occurred_at=now,
        actor=CURATOR,
        text="Вода\x00 отравлена",
        topic="во\x00да",
        sources=(
            claim_ev.SourcePost(
                url="https://vk.com/wall-1_1",
                channel="vk\x00",
                first_seen=now,
                reach=HUGE,
                text="пост\x00",
            ),
        ),
        linked_appeals=(),
        urgent=True,
        verdict_due=now + timedelta(hours=4),
        refutation_due=now + timedelta(hours=8),
        norms="default/1",
    )


def test_old_events_with_nul_and_numbers_beyond_bigint_are_held_by_every_view(
    poisoned: Container,
) -> None:
    appeal_id = poisoned_appeal(poisoned)
    # the same department, spelt without the NUL, in the same batch: one row of the daily view
    clean = poisoned.appeals.receive(receive(), actor=OPERATOR, idempotency=None).state.id
    poisoned.appeals.handle(clean, cmd.RegisterAppeal(), actor=OPERATOR)
    poisoned.appeals.handle(clean, cmd.AssignAppeal(department="Отдел"), actor=OPERATOR)
    claim = poisoned_claim()
    append(poisoned, claim)
    poisoned.engine.catch_up_all()
    assert poisoned.engine.failed() == []
    assert {s.state for s in poisoned.engine.status()} <= {"live", "stopped"}
    with poisoned.pool.connection() as conn:
        row = conn.execute(
            "SELECT registration_number, topic, department, executor, sector FROM appeals"
            " WHERE appeal_id = %s",
            (appeal_id,),
        ).fetchone()
        assert row == ("ПОС-1", "tx", "Отдел", "И", "")
        sla = conn.execute(
            "SELECT DISTINCT topic, department FROM sla_deadlines WHERE appeal_id = %s",
            (appeal_id,),
        ).fetchall()
        assert sla == [("tx", "Отдел")]
        counted = conn.execute(
            "SELECT sum(assigned) FROM department_days WHERE department = 'Отдел'"
        ).fetchone()
        assert counted == (2,)
        stored = conn.execute(
            "SELECT text, topic, reach, source_urls FROM claims WHERE claim_id = %s",
            (claim.originator_id,),
        ).fetchone()
        assert stored == ("Вода отравлена", "вода", 2**63 - 1, ["https://vk.com/wall-1_1"])


def test_business_times_at_the_ends_of_the_calendar_do_not_stop_a_view(
    poisoned: Container,
) -> None:
    earliest = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
    latest = datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-12)))
    app = poisoned.appeals
    for moment in (earliest, latest):
        r = app.receive(receive(), actor=OPERATOR, idempotency=None)
        app.handle(r.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
        app.handle(r.state.id, cmd.AssignAppeal(department="Отдел краёв"), actor=OPERATOR)
        copy = uuid.uuid4()
        append(
            poisoned,
            *(
                msgspec.structs.replace(e, originator_id=copy, occurred_at=moment)
                for e in app.events_of(r.state.id)
            ),
        )
    poisoned.engine.catch_up_all()
    assert poisoned.engine.failed() == []


def test_an_event_the_code_cannot_decode_stops_the_builds_that_want_it_at_its_position(
    db_server: ConnectionInfo,
) -> None:
    with own_database(db_server, "undecodable") as (container, _info):
        r = container.appeals.receive(receive(), actor=OPERATOR, idempotency=None)
        container.engine.catch_up_all()
        unknown = StoredEvent(
            originator_id=uuid.uuid4(),
            originator_version=1,
            topic="AppealFromTheFuture",
            state=b'{"phone": "+7 912 345-67-89"}',
        )
        container.appeals.recorder.insert_events([unknown])
        head = container.engine.head()
        with pytest.raises(HandlerFailed) as caught:
            container.engine.catch_up(container.engine.runnable())
        assert caught.value.position == head
        failed = {f.projection: f for f in container.engine.failed()}
        # the views that read every event stop at it; the ledger (raw bytes) and the views of
        # other types go on
        assert set(failed) == {"appeals", "sla"}
        for build in failed.values():
            assert (build.position, build.failed_at) == (r.position, head)
            assert build.error.startswith("UndecodableEvent") and "912" not in build.error
        statuses = {s.name: s for s in container.engine.status()}
        assert statuses["audit_ledger"].position == head
        assert statuses["appeals"].state == "failed"


def test_the_upsert_helper_stores_what_its_columns_cannot_hold_as_it_is(
    poisoned: Container,
) -> None:
    """Every kind of column a view may declare: text, text[], jsonb, integers of each width."""
    table = f"storable_{uuid.uuid4().hex[:8]}"
    with poisoned.pool.connection() as conn, conn.transaction():
        conn.execute(
            f"CREATE TEMP TABLE {table} (id text PRIMARY KEY, words text[], doc jsonb,"
            " small smallint, count integer NOT NULL, big bigint[])"
        )
        batch = Batch(conn, [], Build("storable", 1), {"t": table})
        columns = ("id", "words", "doc", "small", "count", "big")
        batch.upsert(
            "t",
            columns,
            [
                ("a\x00", ["x\x00"], Jsonb({"k\x00": "v\x00", "n": 10**30}), 10**6, 1, [HUGE]),
                ("b", None, None, None, 2, []),
                ("b\x00", None, None, None, 3, []),  # the same key once the NUL is gone
            ],
            key=("id",),
            add=("count",),
        )
        rows = conn.execute(
            f"SELECT id, words, doc, small, count, big FROM {table} ORDER BY id"
        ).fetchall()
    assert rows == [
        ("a", ["x"], {"k": "v", "n": 10**30}, 2**15 - 1, 1, [2**63 - 1]),
        ("b", None, None, None, 5, []),  # merged as two upserts would: the counts summed
    ]
