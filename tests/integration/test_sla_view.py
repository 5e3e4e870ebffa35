"""The SLA view: overdue and at-risk deadlines by department; a rebuild equals the live view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from domain.appeals import commands as cmd
from domain.appeals.application import AppealsApplication
from domain.appeals.vocabulary import Channel, Kind
from infra.container import Container
from projections.sla import SlaFilter
from tests.support.appeals import OPERATOR, receive
from tests.support.engines import before_the_directory

pytestmark = pytest.mark.integration


def appeals_registered(
    app: AppealsApplication, n: int, days_ago: float, department: str
) -> list[UUID]:
    at = datetime.now(UTC) - timedelta(days=days_ago)
    ids = []
    for _ in range(n):
        r = app.receive(
            receive(Kind.APPEAL, Channel.EMAIL, occurred_at=at), actor=OPERATOR, idempotency=None
        )
        app.handle(r.state.id, cmd.RegisterAppeal(occurred_at=at), actor=OPERATOR)
        with before_the_directory(app):  # a name the test filters the view by
            app.handle(
                r.state.id, cmd.AssignAppeal(department=department, occurred_at=at), actor=OPERATOR
            )
        ids.append(r.state.id)
    return ids


def test_overdue_and_at_risk_by_department_and_a_rebuild_equals_the_live_view(
    app: AppealsApplication, container: Container
) -> None:
    department = "Отдел проверки сроков"
    late = appeals_registered(app, 3, 45, department)
    close = appeals_registered(app, 2, 28, department)
    fresh = appeals_registered(app, 2, 1, department)
    container.engine.catch_up_all()
    now = datetime.now(UTC)
    where = SlaFilter(department=department)
    overdue = container.sla.overdue(where, now=now, limit=100, cursor=None)
    assert {(i.appeal_id, i.deadline) for i in overdue.items} == {(a, "answer") for a in late}
    assert [i.due for i in overdue.items] == sorted(i.due for i in overdue.items)
    risky = container.sla.at_risk(where, now=now, share=0.2, limit=100, cursor=None)
    assert {i.appeal_id for i in risky.items} == set(close)
    assert not {i.appeal_id for i in risky.items} & set(fresh)
    # paging
    first = container.sla.overdue(where, now=now, limit=2, cursor=None)
    assert first.next_cursor is not None
    rest = container.sla.overdue(where, now=now, limit=2, cursor=first.next_cursor)
    assert [i.appeal_id for i in first.items + rest.items] == [i.appeal_id for i in overdue.items]
    # The view rebuilt from scratch equals the live one.
    live = container.engine.active("sla")
    assert live is not None
    (rebuilt,), _ = container.engine.rebuild(["sla"], resume=False)
    assert container.engine.checksums(rebuilt) == container.engine.checksums(live)
