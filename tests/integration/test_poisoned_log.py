"""Read models that cannot be poisoned: events already in a log, written before the input domain
refused such values (a NUL in a text, a reach beyond bigint, business times at the ends of the
calendar), are held by every view; and an event the code cannot decode stops the builds that
want it visibly, at its position, instead of a silent retry."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from eventsourcing.persistence import StoredEvent
from psycopg.types.json import Jsonb

from domain.appeals import commands as cmd
from domain.claims import events as claim_ev
from domain.ratings.score import parse_period
from infra.container import Container
from infra.database import ConnectionInfo
from projections.appeals import AppealFilter
from projections.engine.model import Batch, Build
from projections.engine.runner import HandlerFailed
from projections.engine.storable import EARLIEST, LATEST
from projections.sla import SlaFilter
from tests.conftest import own_database
from tests.support.appeals import (
    ASSIGN,
    CURATOR,
    OPERATOR,
    REGISTER,
    Scenario,
    answered,
    receive,
)
from tests.support.old_log import FIRST_MOMENT, LAST_MOMENT, append, copied, decided

pytestmark = pytest.mark.integration
HUGE = 2**64 - 1  # what a claim source's reach once held


@pytest.fixture(scope="module")
def poisoned(db_server: ConnectionInfo) -> Iterator[Container]:
    with own_database(db_server, "poisoned") as (container, _info):
        yield container


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
    app = poisoned.appeals
    for moment in (FIRST_MOMENT, LAST_MOMENT):
        r = app.receive(receive(), actor=OPERATOR, idempotency=None)
        app.handle(r.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
        app.handle(r.state.id, cmd.AssignAppeal(department="Отдел краёв"), actor=OPERATOR)
        append(poisoned, *copied(app.events_of(r.state.id), moment, dues=False))
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
        for build in failed.values():  # every event before it applied (the appeal's, its copy)
            assert (build.position, build.failed_at) == (head - 1, head) and r.position < head
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


def test_views_at_the_ends_of_the_calendar_are_read_by_every_query_the_routes_use(
    db_server: ConnectionInfo,
) -> None:
    """Year 1 at +14:00 is year 0 in UTC, 9999 at -12:00 year 10000: a view that wrote them as
    they are would be built, and every list sorted by them would fail on its first page."""
    with own_database(db_server, "calendar_ends") as (container, _info):
        now = datetime.now(UTC)
        done = answered().events
        open_ = Scenario(start=now - timedelta(hours=1)).given(receive(), REGISTER, ASSIGN).events
        for moment in (FIRST_MOMENT, LAST_MOMENT):
            append(container, *copied(done, moment))  # answered, every time at the end
            append(container, *copied(open_, moment))  # open, deadlines at the end
            append(container, *copied(done, moment, first=2))  # received, registered there
            # received and registered there, the deadlines not: open, soon due
            append(container, *copied(open_, moment, first=2, dues=False))
        container.appeals.receive(receive(), actor=OPERATOR, idempotency=None)
        container.engine.catch_up_all()
        assert container.engine.failed() == []
        with container.pool.connection() as conn:
            stored = conn.execute(
                "SELECT min(least(received_at, register_due)),"
                " max(greatest(received_at, register_due)) FROM appeals"
            ).fetchone()
            assert stored == (EARLIEST, LATEST)
            dues = conn.execute("SELECT min(due), max(due) FROM sla_deadlines").fetchone()
            assert dues == (EARLIEST, LATEST)

        def every_page(read: Any) -> list[Any]:
            items, cursor = [], None
            while True:
                page = read(cursor)
                items += page.items
                if page.next_cursor is None:
                    return items
                cursor = page.next_cursor

        everyone = SlaFilter()
        overdue = every_page(lambda c: container.sla.overdue(everyone, now=now, limit=2, cursor=c))
        assert overdue[0].due == EARLIEST and overdue[0].started_at == EARLIEST
        assert [i.due for i in overdue] == sorted(i.due for i in overdue)
        at_risk = every_page(
            lambda c: container.sla.at_risk(everyone, now=now, share=0.2, limit=2, cursor=c)
        )
        assert any(i.started_at == EARLIEST for i in at_risk)
        listed = every_page(lambda c: container.queries.list(AppealFilter(), limit=2, cursor=c))
        assert len(listed) == 9 and listed[0].received_at == LATEST
        assert [i.received_at for i in listed[-4:]] == [EARLIEST] * 4
        assert any(i.register_due == EARLIEST for i in listed[-4:])
        methodology = container.methodologies.methodology("v1")
        assert methodology is not None
        reports = container.reports
        # answered in March 2026 (the scenario's clock), received in year 1 or 9999
        department = reports.kpi(methodology, parse_period("2026-03")).rows[0]
        assert department["answered"] == 2
        reports.kpi(methodology, parse_period(f"{now:%Y-%m}"))
        sliced = reports.summary(
            ["channel", "kind", "topic", "department", "sector", "month"],
            date(1, 1, 1),
            date(9999, 12, 31),
        )
        # the latest moment lies past the last day's start in Moscow: the four of year 1, one now
        local = now.astimezone(ZoneInfo(container.settings.timezone))
        assert {r["month"] for r in sliced.rows} == {"0001-01", f"{local:%Y-%m}"}
        assert sum(r["received"] for r in sliced.rows) == 5
        assert reports.hot_topics(8, now.date()).rows
        assert sum(r["open"] for r in reports.workload().rows) >= 4
