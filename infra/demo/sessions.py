"""Demo sessions of the МЦУ: a quarter (September to November 2026) of six sessions — in person,
in absentia, remote; one the deputy chairs in the head's absence, one on the head's instruction;
a tie decided by the chair's vote; a proposal rejected — their decisions setting tasks to the
demo directory's units on the production calendar, done on time, done late (breached and
escalated by the task watcher first), returned, extended, some still overdue; two imported polls
(one cited by a decision) and publications whose reach is imported later. All through the
domain, on a clock that walks the quarter; nothing after ``now``, nothing twice."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.sessions import commands as cmd
from domain.sessions import feedback, tasks
from domain.sessions.events import Choice
from domain.sessions.service import SessionsService
from infra.container import Container
from infra.demo.mcu_quarter import (
    CURATOR,
    DEPUTY,
    HEAD,
    MEMBERS,
    POLLS,
    QUARTER,
    SECRETARY,
    SECRETARY_ID,
    Sitting,
)
from projections.reactors.task_deadlines import TaskWatcher


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Loaded:
    sessions: int = 0
    tasks: int = 0
    breaches: int = 0
    polls: int = 0
    publications: int = 0
    fates: dict[str, int] = field(default_factory=dict)


class _Quarter:
    """The quarter's acts in time order on one clock: an act may plan later ones."""

    def __init__(self, container: Container, now: datetime) -> None:
        self.zone = ZoneInfo(container.settings.timezone)
        self.container, self.end = container, now
        self.clock = _Clock(self.at(date(2026, 8, 31), 9))
        self.mcu = SessionsService(
            container.appeals,
            self.clock,
            container.directory.directory,
            lambda: container.sla_clock().calendar,
            container.settings.timezone,
        )
        self.watcher = TaskWatcher(self.mcu, container.pool, self.clock)
        self.plan: list[tuple[datetime, int, Callable[[], object]]] = []
        self.counter = itertools.count()
        self.loaded = Loaded()
        self.polls: list[UUID] = []

    def at(self, day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), self.zone)

    def later(self, moment: datetime, act: Callable[[], object]) -> None:
        if moment <= self.end:
            heapq.heappush(self.plan, (moment, next(self.counter), act))

    def run(self) -> Loaded:
        self.mcu.change_body(
            cmd.ApproveComposition(
                effective=date(2026, 9, 1),
                head=HEAD,
                deputy_head=DEPUTY,
                secretary=SECRETARY_ID,
                members=MEMBERS,
                protocol="Постановление администрации от 31.08.2026 № 1450",
            ),
            actor=SECRETARY,
        )
        self.polls = [self.mcu.import_poll(p, actor=SECRETARY).state.id for p in POLLS]
        self.loaded.polls = len(self.polls)
        for number, sitting in enumerate(QUARTER, start=31):
            self.later(self.at(sitting.held_on, 10), partial(self.hold, sitting, number))
        while self.plan:
            moment, _, act = heapq.heappop(self.plan)
            self.clock.now = moment
            act()
        self.clock.now = self.end
        self.scan()  # what is overdue today
        return self.loaded

    def scan(self) -> None:
        self.container.engine.catch_up_all()  # the watcher reads the tasks' view
        self.loaded.breaches += self.watcher.scan()

    def hold(self, sitting: Sitting, number: int) -> None:
        mcu, day = self.mcu, sitting.held_on
        agenda = tuple(
            cmd.AgendaItemInput(
                title=item.title,
                proposal=item.proposal,
                cites=cmd.CitationsInput(
                    hot_topic=item.hot_topic,
                    polls=tuple(self.polls[-1:] if day.month > 9 else self.polls[:1])
                    if item.cites_poll
                    else (),
                ),
            )
            for item in sitting.items
        )
        scheduled = cmd.ScheduleSession(
            held_on=day, format=sitting.format, agenda=agenda, occurred_at=self.at(day, 9)
        )
        sid = mcu.schedule(scheduled, actor=SECRETARY).state.id
        chair = mcu.act(
            sid,
            cmd.RecordAttendance(
                taking_part=sitting.taking_part, head_instructs_deputy=sitting.head_instructs_deputy
            ),
            actor=SECRETARY,
        ).state.chair
        for item_no, item in enumerate(sitting.items, start=1):
            for member, choice in _votes(item.votes, sitting.taking_part, chair):
                mcu.act(
                    sid, cmd.CastVote(item=item_no, member=member, choice=choice), actor=SECRETARY
                )
            mcu.act(sid, cmd.CloseVoting(item=item_no), actor=SECRETARY)
        text = "; ".join(f"{n}. {i.title}: {i.proposal}" for n, i in enumerate(sitting.items, 1))
        mcu.act(sid, cmd.DraftProtocol(number=str(number), text=text), actor=SECRETARY)
        for signer in (chair or HEAD, SECRETARY_ID):
            mcu.act(sid, cmd.SignProtocol(signer=signer), actor=SECRETARY)
        where = f"https://ishim.example/mcu/protocols/{number}"
        mcu.act(sid, cmd.PublishProtocol(where=where), actor=SECRETARY)
        self.loaded.sessions += 1
        published = mcu.record_publication(
            feedback.RecordPublication(
                kind=feedback.PublicationKind.PROTOCOL,
                channel="Сайт администрации и канал МЦУ в Telegram",
                url=where,
                title=f"Протокол заседания МЦУ № {number} от {day:%d.%m.%Y}",
                published_at=self.clock.now,
                hot_topic=sitting.items[0].hot_topic,
                session_id=sid,
            ),
            actor=CURATOR,
        ).state.id
        self.loaded.publications += 1
        reach = partial(self.reach, published, 900 + 137 * number % 1100, 3100 + 211 * number)
        self.later(self.at(day + timedelta(days=7), 12), reach)
        for item_no, item in enumerate(sitting.items, start=1):
            if item.votes == "against":
                continue
            for text, unit, days, fate in item.tasks:
                self.clock.now = self.at(day, 16)
                task = mcu.set_task(
                    tasks.SetTask(
                        session_id=sid,
                        item=item_no,
                        text=text,
                        unit_id=unit,
                        within_working_days=days,
                        cites=agenda[item_no - 1].cites,
                    ),
                    actor=SECRETARY,
                ).state
                self.loaded.tasks += 1
                self.loaded.fates[fate] = self.loaded.fates.get(fate, 0) + 1
                self.fate(task, fate)

    def reach(self, publication: UUID, reach: int, views: int) -> None:
        measured = feedback.ImportReach(reach=reach, views=views, measured_at=self.clock.now)
        self.mcu.import_reach(publication, measured, actor=CURATOR)

    def fate(self, task: tasks.TaskState, fate: str) -> None:
        act = partial(self.mcu.act_on_task, task.id)
        due = task.due
        report = partial(act, tasks.ReportOnTask(report="Выполнено, акт приложен"), actor=SECRETARY)
        accept = partial(act, tasks.AcceptTask(note="Принято"), actor=CURATOR)
        if fate == "on_time":
            self.later(self.at(due, 11), report)
            self.later(self.at(due, 15), accept)
        elif fate == "late":
            self.later(self.at(due + timedelta(days=1), 9), self.scan)
            self.later(self.at(due + timedelta(days=3), 11), report)
            self.later(self.at(due + timedelta(days=3), 15), accept)
        elif fate == "returned":
            back = tasks.ReturnTask(reason="Отчёт без подтверждающих документов: доработать")
            self.later(self.at(due, 9), report)
            self.later(self.at(due, 12), partial(act, back, actor=CURATOR))
            self.later(self.at(due, 16), report)
            self.later(self.at(due, 17), accept)
        elif fate == "extended":
            calendar = self.container.sla_clock().calendar
            new_due = calendar.add_working_days(due, 5)
            reason = "Погодные условия: асфальтирование перенесено по заявке подрядчика"
            self.later(
                self.at(due, 10),
                partial(act, tasks.ExtendTask(due=new_due, reason=reason), actor=CURATOR),
            )
            self.later(self.at(new_due, 11), report)
            self.later(self.at(new_due, 15), accept)
        elif fate == "overdue":
            self.later(self.at(due + timedelta(days=1), 9), self.scan)


def _votes(kind: str, taking_part: tuple[str, ...], chair: str | None) -> list[tuple[str, Choice]]:
    """Everyone for; or against; or a tie, the chair among those for (§5.5)."""
    if kind == "for":
        return [(m, Choice.FOR) for m in taking_part]
    if kind == "against":
        return [(m, Choice.FOR if m == chair else Choice.AGAINST) for m in taking_part]
    others = [m for m in taking_part if m != chair]
    half = len(taking_part) // 2
    ayes = [chair, *others[: half - 1]] if chair else others[:half]
    return [(m, Choice.FOR if m in ayes else Choice.AGAINST) for m in taking_part if m]


def load_demo_sessions(container: Container, *, now: datetime) -> Loaded:
    """The quarter, once: nothing when the МЦУ's composition is already recorded."""
    quarter = _Quarter(container, now)
    if quarter.mcu.body().compositions or quarter.clock.now > now:
        return Loaded()
    return quarter.run()
