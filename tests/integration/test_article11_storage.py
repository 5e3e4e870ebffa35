"""59-ФЗ ст. 11 through the application and the event store: ч.5 checks the earlier appeals it
refers to in their own streams, and an unmet notice term is breached and escalated by the watcher
from the views like any deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.application import AppealsApplication
from domain.appeals.vocabulary import Channel, Deadline, EscalationTarget, Kind
from domain.shared.actors import Actor, Role
from domain.shared.errors import RuleViolated
from infra.container import Container
from projections.reactors.deadlines import DeadlineWatcher
from projections.sla import SlaFilter
from tests.support.appeals import ASSIGN, CATEGORISE, OPERATOR, receive

pytestmark = pytest.mark.integration

HEAD = Actor(id="head-1", role=Role.HEAD, name="Глава")
NOTICE = cmd.NoticeInput(channel=Channel.LETTER, template_id="st11-ch5")


def letter(app: AppealsApplication, at: datetime) -> UUID:
    r = app.receive(
        receive(Kind.APPEAL, Channel.LETTER, occurred_at=at), actor=OPERATOR, idempotency=None
    )
    app.handle(r.state.id, cmd.RegisterAppeal(occurred_at=at), actor=OPERATOR)
    return r.state.id


def test_part_5_refers_only_to_earlier_appeals_answered_on_the_merits(
    app: AppealsApplication,
) -> None:
    now = datetime.now(UTC)
    answered = letter(app, now - timedelta(days=90))
    for command in (
        CATEGORISE,
        ASSIGN,
        cmd.DraftAnswer(text="Ответ по существу"),
        cmd.ApproveAnswer(),
        cmd.PublishAnswer(),
    ):
        app.handle(answered, command, actor=OPERATOR)
    unanswered = letter(app, now - timedelta(days=60))
    repeated = letter(app, now - timedelta(days=1))
    for earlier, error in (
        (uuid4(), "there is no earlier appeal"),
        (unanswered, "was not answered on the merits"),
    ):
        with pytest.raises(RuleViolated, match=error):
            app.handle(
                repeated,
                cmd.EndCorrespondence(earlier_appeals=(answered, earlier), notice=NOTICE),
                actor=HEAD,
            )
    result = app.handle(
        repeated, cmd.EndCorrespondence(earlier_appeals=(answered,), notice=NOTICE), actor=HEAD
    )
    assert result.state.is_closed
    decided = next(
        e for e in app.events_of(repeated) if isinstance(e, ev.AppealDecidedUnderArticle11)
    )
    assert decided.earlier_appeals == (answered,)


def test_an_unmet_notice_term_is_breached_and_escalated_from_the_views(
    app: AppealsApplication, container: Container
) -> None:
    now = datetime.now(UTC)
    appeal_id = letter(app, now - timedelta(days=12))
    app.handle(
        appeal_id,
        cmd.LeaveEssenceUnclearUnanswered(occurred_at=now - timedelta(days=11)),
        actor=OPERATOR,
    )
    state = app.state(appeal_id)
    assert state.notice_due is not None and state.notice_due < now and not state.is_closed
    container.engine.catch_up_all()
    overdue = container.sla.overdue(
        SlaFilter(deadline=Deadline.NOTICE.value), now=now, limit=10, cursor=None
    )
    assert [(i.appeal_id, i.due) for i in overdue.items] == [(appeal_id, state.notice_due)]
    DeadlineWatcher(app, container.queries, lambda: datetime.now(UTC)).scan()
    events = app.events_of(appeal_id)
    breached = [e for e in events if isinstance(e, ev.DeadlineBreached)]
    assert [b.deadline for b in breached] == [Deadline.NOTICE]
    escalated = [e for e in events if isinstance(e, ev.AppealEscalated)]
    assert [e.to for e in escalated] == [EscalationTarget.CURATOR] and escalated[0].automatic
    # the late notice closes the appeal; the watcher has nothing more to record on it
    app.handle(appeal_id, cmd.GiveArticle11Notice(notice=NOTICE), actor=OPERATOR)
    container.engine.catch_up_all()
    assert DeadlineWatcher(app, container.queries, lambda: datetime.now(UTC)).scan() == 0
    assert app.state(appeal_id).is_closed
