"""Demo data goes through the domain: a year of appeals, every invariant held."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from uuid import UUID

import psycopg
import pytest

from domain.appeals.application import AppealsApplication
from domain.appeals.events import AppealReceived
from infra.demo import load_demo

pytestmark = pytest.mark.integration


def test_demo_data_spans_a_year_with_every_channel_and_outcome(
    app: AppealsApplication, sql: psycopg.Connection[tuple[object, ...]]
) -> None:
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
