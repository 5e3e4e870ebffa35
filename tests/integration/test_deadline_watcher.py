"""The deadline watcher: each breach recorded once, with its escalation, by any number of
watchers, across restarts."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.application import AppealsApplication
from domain.appeals.vocabulary import Channel, Deadline, Kind
from infra.container import Container
from projections.reactors.deadlines import DeadlineWatcher
from tests.support.appeals import OPERATOR, receive

pytestmark = pytest.mark.integration


def overdue_appeals(app: AppealsApplication, n: int) -> list[UUID]:
    """Appeals received and registered 40 days ago and never answered: the answer deadline and
    the forward deadline have passed."""
    long_ago = datetime.now(UTC) - timedelta(days=40)
    ids = []
    for _ in range(n):
        r = app.receive(
            receive(Kind.APPEAL, Channel.EMAIL, occurred_at=long_ago),
            actor=OPERATOR,
            idempotency=None,
        )
        app.handle(r.state.id, cmd.RegisterAppeal(occurred_at=long_ago), actor=OPERATOR)
        ids.append(r.state.id)
    return ids


def breaches(app: AppealsApplication, ids: list[UUID]) -> Counter[tuple[UUID, Deadline]]:
    counted: Counter[tuple[UUID, Deadline]] = Counter()
    for appeal_id in ids:
        for event in app.events_of(appeal_id):
            if isinstance(event, ev.DeadlineBreached):
                counted[(appeal_id, event.deadline)] += 1
    return counted


def test_two_watchers_and_restarts_record_each_breach_once_with_its_escalation(
    app: AppealsApplication, container: Container
) -> None:
    ids = overdue_appeals(app, 12)
    container.engine.catch_up_all()
    watchers = [
        DeadlineWatcher(app, container.queries, lambda: datetime.now(UTC)) for _ in range(2)
    ]
    # Both scan at the same moment, three times (a restart is a new scan from the view).
    for _ in range(3):
        threads = [threading.Thread(target=w.scan) for w in watchers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        container.engine.catch_up_all()
    counted = breaches(app, ids)
    assert set(counted.values()) == {1}
    assert {deadline for _, deadline in counted} == {Deadline.ANSWER, Deadline.FORWARD}
    assert len(counted) == 2 * len(ids)
    for appeal_id in ids:
        events = app.events_of(appeal_id)
        escalations = [e for e in events if isinstance(e, ev.AppealEscalated)]
        assert len(escalations) == 2 and all(e.automatic for e in escalations)
        state = app.state(appeal_id)
        assert {b.deadline for b in state.breaches} == {Deadline.ANSWER, Deadline.FORWARD}
    # Nothing is left to record.
    assert DeadlineWatcher(app, container.queries, lambda: datetime.now(UTC)).scan() == 0


def test_a_deadline_met_in_time_is_never_breached(
    app: AppealsApplication, container: Container
) -> None:
    # Received 40 days ago but registered at once: the register deadline was met; only the
    # answer and forward deadlines pass.
    (appeal_id,) = overdue_appeals(app, 1)
    container.engine.catch_up_all()
    DeadlineWatcher(app, container.queries, lambda: datetime.now(UTC)).scan()
    state = app.state(appeal_id)
    assert Deadline.REGISTER not in {b.deadline for b in state.breaches}
    assert state.registered_at is not None and state.registered_at < state.register_due
