"""The demo's answers: drafted on time or late, extended, breached and escalated, returned for
rework, approved, published, delivered, rated, closed and now and then reopened."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from domain.appeals import commands as cmd
from domain.appeals.state import AppealState
from domain.appeals.vocabulary import (
    Deadline,
    EscalationTarget,
    ExtensionGround,
    Kind,
    Outcome,
    ReopenedBy,
    ReworkReason,
)
from domain.shared.actors import Actor
from infra.demo import catalogue as cat
from infra.demo.timetable import CURATOR, HEAD, OPERATOR, WATCHER, Step, Timetable

# Some departments answer late more often and get lower scores: ratings need a spread.
LATENESS = {d: 0.04 + 0.04 * (i % 5) for i, d in enumerate(cat.SECTOR_OF)}


class AnswerPlanner:
    """Plans an assigned appeal's answers into the timetable (sharing the demo's random source)."""

    def __init__(self, timetable: Timetable, rng: random.Random) -> None:
        self.timetable = timetable
        self.rng = rng

    def plan(self, i: int, t: datetime, department: str, now: datetime, cycle: int) -> None:
        rng = self.rng
        late = rng.random() < LATENESS[department]
        extend = rng.random() < 0.08

        # The answer is drafted at a fraction of the term, or after the deadline when late.
        fraction = rng.uniform(1.05, 1.6) if late else rng.uniform(0.1, 0.85)
        days = {Kind.APPEAL: 30, Kind.MESSAGE: 10, Kind.INCIDENT: 7, Kind.CALL: 10}

        def schedule(s: AppealState) -> cmd.Command | None:
            if s.is_closed or s.department is None:
                return None
            term = timedelta(days=days[s.kind])
            answer_at = t + term * fraction
            if extend and s.kind in (Kind.APPEAL, Kind.MESSAGE) and s.extensions == 0:
                self.timetable.at(
                    i,
                    t + term * 0.5,
                    HEAD,  # the head extends (ст.12 ч.2 59-ФЗ), once, a message by its term
                    lambda s2: (
                        None
                        if s2.is_closed or s2.answer_published_at is not None
                        else cmd.ExtendDeadline(
                            days=min(rng.choice([10, 15, 30]), days[s2.kind]),
                            ground=ExtensionGround.EXCEPTIONAL_CASE,
                            reason="Требуется выезд комиссии",
                            citizen_notified_at=t + term * 0.5,
                        )
                    ),
                )
            if late:
                assert s.answer_due is not None
                breach_at = s.answer_due + timedelta(minutes=10)
                self.timetable.at(i, breach_at, WATCHER, self._breach)
                self.timetable.at(
                    i,
                    breach_at + timedelta(minutes=1),
                    WATCHER,
                    lambda s2: (
                        None
                        if s2.is_closed or s2.answer_published_at is not None
                        else cmd.EscalateAppeal(
                            to=EscalationTarget.SECTOR_HEAD, reason="Срок ответа нарушен"
                        )
                    ),
                )
            if answer_at > now:
                return None  # still open today
            self._answer_chain(i, answer_at, now, cycle)
            return None

        self.timetable.at(i, t + timedelta(minutes=1), OPERATOR, schedule)

    def _breach(self, s: AppealState) -> cmd.Command | None:
        if s.is_closed or s.answer_published_at is not None or s.is_paused:
            return None
        if s.answer_due is None or s.answer_due >= self.timetable.now:
            return None
        if any(b.deadline is Deadline.ANSWER and b.due == s.answer_due for b in s.breaches):
            return None
        return cmd.RecordDeadlineBreach(deadline=Deadline.ANSWER)

    def _answer_chain(self, i: int, at: datetime, now: datetime, cycle: int) -> None:
        rng = self.rng
        fix = (at + timedelta(days=rng.randrange(1, 20))).date()
        text = rng.choice(cat.ANSWERS).format(date=fix.strftime("%d.%m.%Y"))
        executor = OPERATOR
        steps: list[tuple[timedelta, Actor, Step]] = [
            (timedelta(0), executor, lambda s: cmd.DraftAnswer(text=text, fix_date=fix)),
        ]
        if rng.random() < 0.15:
            steps += [
                (
                    timedelta(hours=4),
                    CURATOR,
                    lambda s: cmd.ReturnAnswerForRework(
                        reason=rng.choice(list(ReworkReason)),
                        comment="Ответ не по существу: нет срока устранения и фотоподтверждения",
                    ),
                ),
                (
                    timedelta(days=1),
                    executor,
                    lambda s: cmd.DraftAnswer(
                        text=text + " Фотоотчёт приложен.", fix_date=fix, evidence=("photo-1.jpg",)
                    ),
                ),
            ]
        steps += [
            (timedelta(days=1, hours=3), CURATOR, lambda s: cmd.ApproveAnswer()),
            (timedelta(days=1, hours=4), OPERATOR, lambda s: cmd.PublishAnswer()),
            (
                timedelta(days=1, hours=5),
                OPERATOR,
                lambda s: cmd.ConfirmAnswerDelivery(
                    delivery_reference=f"DLV-{rng.randrange(10**6, 10**7)}"
                ),
            ),
        ]
        rated = rng.random() < 0.6
        if rated:
            score = rng.choices([1, 2, 3, 4, 5], weights=[8, 6, 10, 26, 50])[0]
            steps.append(
                (
                    timedelta(days=2),
                    OPERATOR,
                    lambda s: cmd.RateSatisfaction(score=score, comment=None),
                )
            )
        reopen = cycle == 0 and rng.random() < 0.07
        steps.append(
            (timedelta(days=3), OPERATOR, lambda s: cmd.CloseAppeal(outcome=Outcome.ANSWERED))
        )
        for delay, actor, make in steps:
            if at + delay <= now:
                self.timetable.at(i, at + delay, actor, self._guard(make))
        if reopen and at + timedelta(days=6) <= now:
            self.timetable.at(
                i,
                at + timedelta(days=6),
                OPERATOR,
                self._guard(
                    lambda s: cmd.ReopenAppeal(
                        reason="Заявитель сообщил, что проблема не устранена", by=ReopenedBy.CITIZEN
                    )
                ),
            )
            self._answer_chain(i, at + timedelta(days=rng.randrange(8, 14)), now, cycle + 1)

    def _guard(self, make: Step) -> Step:
        """A planned step is skipped when the appeal left the path (closed as duplicate, ...)."""

        def guarded(s: AppealState) -> cmd.Command | None:
            command = make(s)
            if command is None:
                return None
            if s.is_closed and not isinstance(command, cmd.ReopenAppeal):
                return None
            if isinstance(command, cmd.ReopenAppeal) and s.outcome is not Outcome.ANSWERED:
                return None
            return command

        return guarded
