"""Demo data goes through the domain: a year of appeals, every invariant held."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID

import psycopg
import pytest

from domain.appeals.events import AppealReceived
from infra.container import Container
from infra.database import ConnectionInfo
from infra.demo.appeals import load_demo
from infra.demo.claims import FAKES, load_demo_claims
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
