"""Requests for information (ст.10 ч.2 59-ФЗ) through the application and the event store: the
other body's 15-day term is a row of the SLA view, and the deadline watcher records its breach
and escalation once when it passes unanswered."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.application import AppealsApplication
from domain.appeals.vocabulary import Channel, Deadline, EscalationTarget, Kind
from infra.container import Container
from projections.reactors.deadlines import DeadlineWatcher
from projections.sla import SlaFilter
from tests.support.appeals import OPERATOR, receive

pytestmark = pytest.mark.integration


def with_request(app: AppealsApplication, sent_days_ago: float) -> tuple[UUID, UUID]:
    """An appeal registered 25 days ago with a request sent ``sent_days_ago``: (appeal, request)."""
    now = datetime.now(UTC)
    registered = now - timedelta(days=25)
    appeal_id = app.receive(
        receive(Kind.APPEAL, Channel.EMAIL, occurred_at=registered),
        actor=OPERATOR,
        idempotency=None,
    ).state.id
    app.handle(appeal_id, cmd.RegisterAppeal(occurred_at=registered), actor=OPERATOR)
    state = app.handle(
        appeal_id,
        cmd.RequestInformation(
            to_body="Роспотребнадзор",
            what="Акт проверки",
            occurred_at=now - timedelta(days=sent_days_ago),
        ),
        actor=OPERATOR,
    ).state
    return appeal_id, state.information_requests[-1].id


def test_an_unanswered_request_is_overdue_in_the_sla_view_and_breached_once(
    app: AppealsApplication, container: Container
) -> None:
    late, _ = with_request(app, 20)  # 15 days (and any roll-over) have passed
    answered, request = with_request(app, 20)
    app.handle(
        answered,
        cmd.RecordInformationReply(
            request_id=request,
            summary="Акт получен",
            occurred_at=datetime.now(UTC) - timedelta(days=10),
        ),
        actor=OPERATOR,
    )
    fresh, _ = with_request(app, 1)
    container.engine.catch_up_all()
    now = datetime.now(UTC)
    where = SlaFilter(deadline=Deadline.INFORMATION_REPLY.value)
    overdue = container.sla.overdue(where, now=now, limit=100, cursor=None)
    listed = {i.appeal_id for i in overdue.items}
    assert late in listed and not {answered, fresh} & listed
    (request_sent,) = [e for e in app.events_of(late) if isinstance(e, ev.InformationRequested)]
    assert request_sent.deadlines[0].provenance.rule.endswith("(ст.10 ч.2 59-ФЗ)")

    watcher = DeadlineWatcher(app, container.queries, lambda: now, pool=container.pool)
    for _ in range(2):  # a second pass (a restart) records nothing again
        watcher.scan()
        container.engine.catch_up_all()
    counted: Counter[tuple[UUID, Deadline]] = Counter()
    for appeal_id in (late, answered, fresh):
        for event in app.events_of(appeal_id):
            if isinstance(event, ev.DeadlineBreached):
                counted[(appeal_id, event.deadline)] += 1
    replies = {k: n for k, n in counted.items() if k[1] is Deadline.INFORMATION_REPLY}
    assert replies == {(late, Deadline.INFORMATION_REPLY): 1}
    escalated = [e for e in app.events_of(late) if isinstance(e, ev.AppealEscalated)]
    assert any(
        e.automatic and e.to is EscalationTarget.SECTOR_HEAD and "ст.10 ч.2" in e.reason
        for e in escalated
    )
    listed_now = container.sla.overdue(where, now=now, limit=100, cursor=None).items
    assert [i.breached for i in listed_now if i.appeal_id == late] == [True]
