"""Demo data goes through the domain: a year of appeals, every invariant held."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import psycopg
import pytest

from domain.appeals.events import AppealReceived
from infra.container import Container
from infra.database import ConnectionInfo
from infra.demo.appeals import load_demo
from infra.demo.claims import FAKES, load_demo_claims
from infra.demo.sessions import load_demo_sessions
from tests.conftest import own_database

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def demo_db(db_server: ConnectionInfo) -> Iterator[tuple[Container, ConnectionInfo]]:
    with own_database(db_server, "demo", demo=True) as built:
        yield built


def test_demo_data_spans_a_year_with_every_channel_and_outcome(
    demo_db: tuple[Container, ConnectionInfo],
) -> None:
    container, info = demo_db
    app = container.appeals
    sql = psycopg.connect(info.conninfo, autocommit=True)
    # the head of the log (ids can skip: a transaction that lost a race consumed its id)
    head = sql.execute("SELECT coalesce(max(notification_id), 0) FROM otklik_events").fetchone()
    before = int(str((head or [0])[0]))
    now = datetime.now(UTC)
    stats = load_demo(app, 400, now=now, seed=7)
    assert stats.appeals == 400
    topics = Counter(
        str(r[0])
        for r in sql.execute(
            "SELECT split_part(topic, '@', 1) FROM otklik_events WHERE notification_id > %s",
            (before,),
        ).fetchall()
    )
    for expected in (
        "AppealReceived",
        "AppealRegistered",
        "AnswerReturnedForRework",
        "AnswerDelivered",
        "SatisfactionRated",
        "AppealReopened",
        "DeadlineBreached",
        "AppealEscalated",
        "DeadlineExtended",
        "AppealClosed",
    ):
        assert topics[expected] > 0, expected
    assert sum(topics.values()) == stats.events
    received = [
        app.events_of(UUID(str(appeal_id)))[0]
        for (appeal_id,) in sql.execute(
            "SELECT originator_id FROM otklik_events"
            " WHERE split_part(topic, '@', 1) = 'AppealReceived'"
            " AND notification_id > %s",
            (before,),
        ).fetchall()
    ]
    assert all(isinstance(e, AppealReceived) for e in received)
    times = [e.occurred_at for e in received]
    assert max(times) - min(times) > timedelta(days=330)
    assert {e.kind for e in received if isinstance(e, AppealReceived)} == {
        "appeal",
        "message",
        "incident",
        "call",
    }


def test_demo_claims_cover_the_whole_response(container: Container) -> None:
    written = load_demo_claims(container.claims, now=datetime.now(UTC), seed=7)
    assert written == len(FAKES)
    container.engine.catch_up_all()
    listed = container.claim_queries.list(limit=500)
    demo = [c for c in listed if c.text in {fake[1] for fake in FAKES}]
    assert len(demo) >= written
    statuses = Counter(c.status for c in demo)
    assert statuses["closed"] > 0 and statuses["published"] > 0 and statuses["detected"] > 0
    assert any(c.resurfaced > 0 for c in demo)
    assert {c.verdict for c in demo} >= {"false", "misleading", "true", "unverifiable", None}
    known = FAKES[0][4]
    assert known is not None
    (match,) = container.claim_queries.match(known, threshold=0.55, limit=1)
    assert match.refutation == FAKES[0][2]


def test_demo_sessions_a_quarter_of_the_mcu_with_tasks_on_time_late_returned_and_extended(
    demo_db: tuple[Container, ConnectionInfo],
) -> None:
    container, info = demo_db
    now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    loaded = load_demo_sessions(container, now=now)
    assert (loaded.sessions, loaded.polls, loaded.publications) == (6, 2, 6)
    assert loaded.tasks == 20 and set(loaded.fates) == {
        "on_time",
        "late",
        "returned",
        "extended",
        "overdue",
        "open",
    }
    # each late or overdue task breached and escalated exactly once by the task watcher
    breaching = loaded.fates["late"] + loaded.fates["overdue"]
    assert loaded.breaches == breaching
    sql = psycopg.connect(info.conninfo, autocommit=True)
    counted = Counter(
        {
            str(topic): int(str(n))
            for topic, n in sql.execute(
                "SELECT split_part(topic, '@', 1), count(*) FROM otklik_events"
                " WHERE topic LIKE '%%Task%%' OR topic LIKE '%%Decision%%'"
                " OR topic LIKE '%%Protocol%%' OR topic LIKE '%%Reach%%'"
                " GROUP BY 1"
            ).fetchall()
        }
    )
    assert counted["TaskDeadlineBreached"] == counted["TaskEscalated"] == breaching
    assert counted["TaskReturned"] == loaded.fates["returned"]
    assert counted["TaskExtended"] == loaded.fates["extended"]
    assert counted["ProtocolSigned"] == 12 and counted["ProtocolPublished"] == 6
    assert counted["DecisionRejected"] == 1 and counted["PublicationReachImported"] == 6
    container.engine.catch_up_all()
    assert container.mcu is not None
    queries = container.mcu.queries
    sessions = queries.sessions(since=date(2026, 9, 1))
    assert len(sessions) == 6
    reports = [queries.report(s.session_id, now) for s in sessions]
    assert sum(r.overdue for r in reports) == loaded.fates["overdue"]
    assert sum(len(r.late) for r in reports) >= loaded.fates["late"]
    units = {u.unit_id: u for u in queries.by_unit(now)}
    assert units["mbu-gorsvet"].overdue == 1 and units["mup-vodokanal"].open >= 1
    # the tie decided by the chair's vote, and a deputy chairing in the head's absence
    held = [container.mcu.service.session(s.session_id) for s in sessions]
    outcomes = [o for s in held if s is not None for o in s.outcomes]
    assert any(o.adopted and o.by_chairs_vote for o in outcomes)
    assert {s.chair for s in held if s is not None} == {"p-0010", "p-0002"}
    # nothing twice
    assert load_demo_sessions(container, now=now).sessions == 0
