"""The МЦУ's sessions on the real event store: a session from the composition to the published
protocol, a task of its decision breached and escalated exactly once by the task watcher, the
session's execution report, and the whole history verified INTACT by ``otklik audit verify``."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import msgspec
import pytest

from domain.organisation.commands import ChangeDirectory
from domain.sessions import commands as cmd
from domain.sessions import tasks
from domain.sessions.events import Choice
from domain.sessions.service import SessionsService
from domain.sessions.task_events import TaskEvent
from domain.shared.actors import Actor, Role
from domain.shared.errors import NotFound
from infra.audit.verification import verify_database
from infra.container import Container
from infra.database import ConnectionInfo
from projections.reactors.task_deadlines import TaskWatcher
from tests.conftest import own_database
from tests.support.directory import LOADER

pytestmark = pytest.mark.integration
STAFF = Actor(id="mcu-1", role=Role.OPERATOR, name="Сотрудник МЦУ")
HELD_ON = date(2025, 3, 3)  # a Monday
PEOPLE = ("ruk", "zam", "sekr", "chlen1", "chlen2", "chlen3", "chlen4")


@pytest.fixture(scope="module")
def sessions_db(db_server: ConnectionInfo) -> Iterator[tuple[Container, ConnectionInfo]]:
    with own_database(db_server, "sessions") as opened:
        container, _ = opened
        people = [{"op": "register-person", "person_id": p, "name": f"Член {p}"} for p in PEOPLE]
        change = msgspec.convert({"changes": people, "effective": "2024-01-01"}, ChangeDirectory)
        container.directory.change(change, actor=LOADER)
        yield opened


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def service(container: Container, clock: Clock) -> SessionsService:
    return SessionsService(
        container.appeals,
        clock,
        container.directory.directory,
        lambda: container.sla_clock().calendar,
        container.settings.timezone,
    )


def held_session(mcu: SessionsService) -> uuid.UUID:
    mcu.change_body(
        cmd.ApproveComposition(
            effective=date(2025, 1, 15),
            head="ruk",
            deputy_head="zam",
            secretary="sekr",
            members=("chlen1", "chlen2", "chlen3", "chlen4"),
            protocol="Протокол № 1 от 15.01.2025",
        ),
        actor=STAFF,
    )
    agenda = (
        cmd.AgendaItemInput(
            title="Повторные обращения о вывозе снега",
            proposal="Поручить управлению ЖКХ устранить причины повторных обращений",
            cites=cmd.CitationsInput(hot_topic="Вывоз снега"),
        ),
    )
    session = mcu.schedule(cmd.ScheduleSession(held_on=HELD_ON, agenda=agenda), actor=STAFF)
    sid = session.state.id
    # the head absent: the deputy chairs (§5.1); 4 of 7 take part (§5.3)
    mcu.act(sid, cmd.RecordAttendance(taking_part=("zam", "sekr", "chlen1", "chlen2")), actor=STAFF)
    for member, choice in (
        ("zam", "for"),
        ("sekr", "for"),
        ("chlen1", "against"),
        ("chlen2", "against"),
    ):
        mcu.act(sid, cmd.CastVote(item=1, member=member, choice=Choice(choice)), actor=STAFF)
    adopted = mcu.act(sid, cmd.CloseVoting(item=1), actor=STAFF).state.outcome(1)
    assert adopted is not None and adopted.adopted and adopted.by_chairs_vote  # §5.5
    mcu.act(sid, cmd.DraftProtocol(number="2", text="Решили: поручить…"), actor=STAFF)
    mcu.act(sid, cmd.SignProtocol(signer="zam"), actor=STAFF)
    mcu.act(sid, cmd.SignProtocol(signer="sekr"), actor=STAFF)
    mcu.act(sid, cmd.PublishProtocol(where="https://ishim.example/mcu/2"), actor=STAFF)
    return sid


def test_a_tasks_deadline_is_breached_and_escalated_exactly_once_and_reported(
    sessions_db: tuple[Container, ConnectionInfo],
) -> None:
    container, info = sessions_db
    clock = Clock(datetime(2025, 3, 3, 12, tzinfo=UTC))
    mcu = service(container, clock)
    sid = held_session(mcu)
    late = mcu.set_task(
        tasks.SetTask(
            session_id=sid, item=1, text="Вывезти снег", unit_id="ugkh", within_working_days=3
        ),
        actor=STAFF,
    ).state
    assert late.due == date(2025, 3, 6)  # three working days after Monday
    on_time = mcu.set_task(
        tasks.SetTask(
            session_id=sid, item=1, text="Отчитаться", unit_id="ukult", due=date(2025, 3, 5)
        ),
        actor=STAFF,
    ).state
    mcu.act_on_task(on_time.id, tasks.ReportOnTask(report="Сделано"), actor=STAFF)
    mcu.act_on_task(on_time.id, tasks.AcceptTask(), actor=STAFF)
    with pytest.raises(NotFound):  # a task of a session that does not exist
        mcu.set_task(
            tasks.SetTask(
                session_id=uuid.uuid4(), item=1, text="…", unit_id="ugkh", within_working_days=1
            ),
            actor=STAFF,
        )
    clock.now = datetime(2025, 3, 10, 9, tzinfo=UTC)  # the deadline has passed
    container.engine.catch_up_all()
    watcher = TaskWatcher(mcu, container.pool, clock)
    assert watcher.scan() == 1
    container.engine.catch_up_all()
    assert watcher.scan() == 0  # a second tick, and a watcher restarted, record nothing
    assert TaskWatcher(mcu, container.pool, clock).scan() == 0
    events = [type(r.event).__name__ for r in mcu.handler.read(TaskEvent, late.id)]
    assert events.count("TaskDeadlineBreached") == 1 and events.count("TaskEscalated") == 1
    breached = mcu.task(late.id)
    assert breached is not None and breached.escalated_to == "deputy"  # the sector's deputy head
    assert container.mcu is not None
    queries = container.mcu.queries
    assert queries is not None
    report = queries.report(sid, clock.now)
    assert (report.tasks, report.done, report.done_on_time, report.overdue) == (2, 1, 1, 1)
    assert [t.task_id for t in report.late] == [late.id]
    units = {u.unit_id: u for u in queries.by_unit(clock.now)}
    assert (units["ugkh"].overdue, units["ukult"].done) == (1, 1)
    # an extension sets a new deadline; its breach is recorded once again in its turn
    mcu.act_on_task(
        late.id, tasks.ExtendTask(due=date(2025, 3, 12), reason="Снегопад"), actor=STAFF
    )
    clock.now = datetime(2025, 3, 13, 9, tzinfo=UTC)
    container.engine.catch_up_all()
    assert watcher.scan() == 1
    # the whole history replays and the log verifies INTACT, in the database and by the CLI
    container.engine.catch_up_all()
    assert verify_database(info.conninfo).report.ok
    run = subprocess.run(
        [sys.executable, "-m", "infra.cli", "audit", "verify"],
        env={**os.environ, "DATABASE_URL": info.url(), "OTKLIK_LOG_LEVEL": "warning"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "INTACT" in run.stdout
    history = mcu.history(sid)
    assert [type(r.event).__name__ for r in history][:2] == [
        "SessionScheduled",
        "AttendanceRecorded",
    ]
    assert history[-1].event.originator_version == len(history)
    assert all(a.position < b.position for a, b in itertools.pairwise(history))
    assert clock.now - timedelta(days=30) < history[-1].event.timestamp
