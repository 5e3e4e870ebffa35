"""The demo's appeals from receipt to assignment: kinds, channels, texts, citizens, late
registrations, duplicates, forwarding, repeats, interim answers and fast tracks."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from domain.appeals import commands as cmd
from domain.appeals.decisions.grounds import DEFAULT_GROUNDS
from domain.appeals.state import AppealState
from domain.appeals.vocabulary import Channel, Deadline, Kind, LegalGround
from infra.demo import catalogue as cat
from infra.demo.answers import AnswerPlanner
from infra.demo.timetable import OPERATOR, WATCHER, Timetable

KIND_MIX = [(Kind.MESSAGE, 45), (Kind.INCIDENT, 25), (Kind.APPEAL, 20), (Kind.CALL, 10)]
CHANNELS = {
    Kind.MESSAGE: [Channel.POS],
    Kind.INCIDENT: [Channel.VK, Channel.VK, Channel.TELEGRAM, Channel.ODNOKLASSNIKI, Channel.MAX],
    Kind.APPEAL: [Channel.GOSUSLUGI, Channel.EMAIL, Channel.LETTER, Channel.RECEPTION],
    Kind.CALL: [Channel.PHONE, Channel.VOICE_MESSAGE],
}


class LifePlanner:
    """Plans a city's appeals into the timetable; ``next_number`` hands out registration numbers."""

    def __init__(
        self, timetable: Timetable, rng: random.Random, next_number: Callable[[], int]
    ) -> None:
        self.timetable = timetable
        self.rng = rng
        self.next_number = next_number
        self.topics: dict[int, str] = {}
        self.answers = AnswerPlanner(timetable, rng)

    def _receive_time(self, start: datetime, end: datetime) -> datetime:
        span = (end - start).total_seconds()
        moment = start + timedelta(seconds=self.rng.random() * span)
        hour = self.rng.choice([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22])
        return moment.replace(hour=hour, minute=self.rng.randrange(60))

    def plan(self, n: int, now: datetime) -> None:
        start = now - timedelta(days=380)
        kinds = [k for k, w in KIND_MIX for _ in range(w)]
        for i in range(n):
            kind = self.rng.choice(kinds)
            channel = self.rng.choice(CHANNELS[kind])
            topic = self.rng.choice(list(cat.RUBRICATOR))
            subtopic, department, texts = self.rng.choice(cat.RUBRICATOR[topic])
            street = self.rng.choice(cat.STREETS)
            place = f"{street}, д. {self.rng.randrange(1, 120)}"
            text = self.rng.choice(texts).format(place=place)
            received = self._receive_time(start, now - timedelta(hours=2))
            self.topics[i] = topic
            citizen = None
            if kind is not Kind.INCIDENT:
                citizen = cmd.CitizenContactInput(
                    full_name=" ".join(
                        [
                            self.rng.choice(cat.LAST_NAMES),
                            self.rng.choice(cat.FIRST_NAMES),
                            self.rng.choice(cat.PATRONYMICS),
                        ]
                    ),
                    phone=f"+7 9{self.rng.randrange(10, 99)} {self.rng.randrange(100, 999)}-"
                    f"{self.rng.randrange(10, 99)}-{self.rng.randrange(10, 99)}",
                    postal_address=f"г. Энск, {self.rng.choice(cat.STREETS)}, д. "
                    f"{self.rng.randrange(1, 90)}, кв. {self.rng.randrange(1, 200)}",
                )
            external_id = {
                Kind.MESSAGE: f"POS-{self.rng.randrange(10**8, 10**9)}",
                Kind.INCIDENT: f"https://vk.com/wall-{self.rng.randrange(10**6, 10**7)}_"
                f"{self.rng.randrange(1000, 99999)}",
                Kind.CALL: f"CALL-{self.rng.randrange(10**6, 10**7)}",
            }.get(kind)
            receive = cmd.ReceiveAppeal(
                kind=kind,
                channel=channel,
                text=text,
                external_id=external_id,
                citizen=citizen,
                place=cmd.PlaceInput(address=f"г. Энск, {place}"),
                occurred_at=received,
            )
            self._plan_life(i, receive, topic, subtopic, department, place, received, now)

    def _plan_life(
        self,
        i: int,
        receive: cmd.ReceiveAppeal,
        topic: str,
        subtopic: str,
        department: str,
        place: str,
        received: datetime,
        now: datetime,
    ) -> None:
        rng = self.rng
        self.timetable.at(i, received, OPERATOR, receive)
        t = received + timedelta(minutes=rng.randrange(5, 600))
        if rng.random() < 0.03:
            t = received + timedelta(days=rng.randrange(4, 7))  # a late registration
            self.timetable.at(
                i,
                received + timedelta(days=4, minutes=10),
                WATCHER,
                lambda s: (
                    cmd.RecordDeadlineBreach(deadline=Deadline.REGISTER)
                    if s.registered_at is None and s.register_due < self.timetable.now
                    else None
                ),
            )
        self.timetable.at(
            i,
            t,
            OPERATOR,
            lambda s: cmd.RegisterAppeal(registration_number=self._number(s)),
        )
        if rng.random() < 0.03:
            t += timedelta(hours=2)
            self.timetable.at(
                i,
                t,
                OPERATOR,
                lambda s: self._left_unanswered(s, rng.choice(sorted(DEFAULT_GROUNDS[s.kind]))),
            )
            return
        t += timedelta(minutes=rng.randrange(5, 240))
        self.timetable.at(
            i,
            t,
            OPERATOR,
            lambda s: cmd.CategoriseAppeal(
                topic=topic,
                subtopic=subtopic,
                essence=f"{subtopic}: {place}",
                tags=(topic.lower(),),
            ),
        )
        earlier = [j for j in self.topics if j < i and self.topics[j] == topic]
        if earlier and rng.random() < 0.03:
            target = rng.choice(earlier[-20:])
            t += timedelta(minutes=30)
            self.timetable.at(
                i,
                t,
                OPERATOR,
                lambda s: (
                    cmd.MarkDuplicate(duplicate_of=self.timetable.ids[target])
                    if target in self.timetable.ids
                    and target in self.timetable.states
                    and not self.timetable.states[target].is_closed
                    else None
                ),
            )
        if receive.kind is Kind.APPEAL and rng.random() < 0.05:
            t += timedelta(days=rng.randrange(1, 5))
            self.timetable.at(
                i,
                t,
                OPERATOR,
                lambda s: cmd.ForwardAppeal(
                    to_body=rng.choice(cat.OTHER_BODIES),
                    reason="Вопрос не входит в компетенцию",
                    citizen_notified_at=t,
                ),
            )
            return
        t += timedelta(minutes=rng.randrange(10, 300))
        self.timetable.at(
            i,
            t,
            OPERATOR,
            lambda s: (
                None
                if s.is_closed
                else cmd.AssignAppeal(
                    department=department,
                    executor=rng.choice(cat.EXECUTORS),
                    sector=cat.SECTOR_OF[department],
                )
            ),
        )
        if earlier and rng.random() < 0.08:
            target = rng.choice(earlier[-50:])
            self.timetable.at(
                i,
                t + timedelta(minutes=20),
                OPERATOR,
                lambda s: (
                    None
                    if s.is_closed or target not in self.timetable.ids
                    else cmd.LinkAsRepeat(repeat_of=self.timetable.ids[target])
                ),
            )
        if receive.kind is Kind.INCIDENT:
            self.timetable.at(
                i,
                received + timedelta(hours=rng.choice([1, 2, 3, 5, 7, 12])),
                OPERATOR,
                lambda s: (
                    None
                    if s.is_closed or s.department is None
                    else cmd.GiveInterimAnswer(
                        text="Информация принята, специалисты выехали на место."
                    )
                ),
            )
        if rng.random() < 0.1:
            self.timetable.at(
                i,
                t + timedelta(hours=3),
                OPERATOR,
                lambda s: (
                    None
                    if s.is_closed
                    else cmd.FastTrackAppeal(resolution="Проблема устранена в день обращения")
                ),
            )
        self.answers.plan(i, t, department, now, cycle=0)

    @staticmethod
    def _left_unanswered(s: AppealState, ground: LegalGround) -> cmd.Command:
        """An appeal goes through its ст.11 59-ФЗ part (with the notice); the others leave on a
        ground of their own rules."""
        if s.kind is Kind.APPEAL:
            notice = cmd.NoticeInput(channel=s.channel, template_id="st11-ch3")
            return cmd.LeaveAbusiveUnanswered(
                comment="Основание проверено куратором", notice=notice
            )
        return cmd.LeaveWithoutAnswer(ground=ground, comment="Основание проверено куратором")

    def _number(self, s: AppealState) -> str:
        return f"Д-{self.timetable.now.year}/{self.next_number():06d}"
