"""Demo data written through the domain: every command goes through ``decide``, so every invariant
holds. A year of a city's appeals on every channel, answered on time and late, with reworks,
extensions, reopenings, repeats, duplicates, breaches and escalations, and satisfaction scores.

The simulation runs all appeals' steps in time order, so recorded times follow the log order."""

from __future__ import annotations

import heapq
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from domain.appeals import commands as cmd
from domain.appeals.application import AppealsApplication
from domain.appeals.decide import decide
from domain.appeals.events import AppealEvent
from domain.appeals.state import AppealState, evolve
from domain.appeals.vocabulary import (
    Channel,
    Deadline,
    EscalationTarget,
    Kind,
    LegalGround,
    Outcome,
    ReopenedBy,
    ReworkReason,
)
from domain.shared.actors import Actor, Role
from domain.sla.clock import SlaClock
from infra import demo_catalogue as cat

OPERATOR = Actor(id="demo-operator", role=Role.OPERATOR, name="Оператор МЦУ Сафонова Л. В.")
CURATOR = Actor(id="demo-curator", role=Role.CURATOR, name="Куратор МЦУ Орлов Д. К.")
WATCHER = Actor(id="deadline-watcher", role=Role.SYSTEM, name="Контроль сроков")

KIND_MIX = [(Kind.MESSAGE, 45), (Kind.INCIDENT, 25), (Kind.APPEAL, 20), (Kind.CALL, 10)]
CHANNELS = {
    Kind.MESSAGE: [Channel.POS],
    Kind.INCIDENT: [Channel.VK, Channel.VK, Channel.TELEGRAM, Channel.ODNOKLASSNIKI, Channel.MAX],
    Kind.APPEAL: [Channel.GOSUSLUGI, Channel.EMAIL, Channel.LETTER, Channel.RECEPTION],
    Kind.CALL: [Channel.PHONE, Channel.VOICE_MESSAGE],
}
# Some departments answer late more often and get lower scores: ratings need a spread.
LATENESS = {d: 0.04 + 0.04 * (i % 5) for i, d in enumerate(cat.SECTOR_OF)}


# A planned step: given the appeal's state when its time comes, the command (None: skip it).
Step = Callable[[AppealState], cmd.Command | None]


@dataclass(order=True)
class _Scheduled:
    at: datetime
    seq: int
    appeal: int = field(compare=False)
    actor: Actor = field(compare=False)
    make: Step | cmd.ReceiveAppeal = field(compare=False)


@dataclass
class DemoStats:
    appeals: int = 0
    events: int = 0
    position: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


class DemoWriter:
    """Plans and decides a city's appeals; ``save`` appends a chunk of decided events and returns
    the log position, ``next_number`` hands out registration numbers."""

    def __init__(
        self,
        *,
        policy: SlaClock,
        save: Callable[[list[AppealEvent]], int],
        next_number: Callable[[], int],
        seed: int = 2026,
    ) -> None:
        self.policy = policy
        self.save = save
        self.next_number = next_number
        self.rng = random.Random(seed)
        self.states: dict[int, AppealState] = {}
        self.ids: dict[int, uuid.UUID] = {}
        self.topics: dict[int, str] = {}
        self.queue: list[_Scheduled] = []
        self.seq = 0

    # --- plan -------------------------------------------------------------------------------
    def _at(self, appeal: int, at: datetime, actor: Actor, make: Step | cmd.ReceiveAppeal) -> None:
        self.seq += 1
        heapq.heappush(self.queue, _Scheduled(at, self.seq, appeal, actor, make))

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
        self._at(i, received, OPERATOR, receive)
        t = received + timedelta(minutes=rng.randrange(5, 600))
        if rng.random() < 0.03:
            t = received + timedelta(days=rng.randrange(4, 7))  # a late registration
            self._at(
                i,
                received + timedelta(days=4, minutes=10),
                WATCHER,
                lambda s: (
                    cmd.RecordDeadlineBreach(deadline=Deadline.REGISTER)
                    if s.registered_at is None and s.register_due < self._now
                    else None
                ),
            )
        self._at(
            i,
            t,
            OPERATOR,
            lambda s: cmd.RegisterAppeal(registration_number=self._number(s)),
        )
        if rng.random() < 0.03:
            t += timedelta(hours=2)
            self._at(
                i,
                t,
                OPERATOR,
                lambda s: cmd.LeaveWithoutAnswer(
                    ground=rng.choice(list(LegalGround)), comment="Основание проверено куратором"
                ),
            )
            return
        t += timedelta(minutes=rng.randrange(5, 240))
        self._at(
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
            self._at(
                i,
                t,
                OPERATOR,
                lambda s: (
                    cmd.MarkDuplicate(duplicate_of=self.ids[target])
                    if target in self.ids
                    and target in self.states
                    and not self.states[target].is_closed
                    else None
                ),
            )
        if receive.kind is Kind.APPEAL and rng.random() < 0.05:
            t += timedelta(days=rng.randrange(1, 5))
            self._at(
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
        self._at(
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
            self._at(
                i,
                t + timedelta(minutes=20),
                OPERATOR,
                lambda s: (
                    None
                    if s.is_closed or target not in self.ids
                    else cmd.LinkAsRepeat(repeat_of=self.ids[target])
                ),
            )
        if receive.kind is Kind.INCIDENT:
            self._at(
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
            self._at(
                i,
                t + timedelta(hours=3),
                OPERATOR,
                lambda s: (
                    None
                    if s.is_closed
                    else cmd.FastTrackAppeal(resolution="Проблема устранена в день обращения")
                ),
            )
        self._plan_answer(i, t, department, now, cycle=0)

    def _plan_answer(self, i: int, t: datetime, department: str, now: datetime, cycle: int) -> None:
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
                self._at(
                    i,
                    t + term * 0.5,
                    CURATOR,
                    lambda s2: (
                        None
                        if s2.is_closed or s2.answer_published_at is not None
                        else cmd.ExtendDeadline(
                            days=rng.choice([10, 15, 30]),
                            reason="Требуется выезд комиссии",
                            approver=CURATOR.name,
                            citizen_notified_at=t + term * 0.5,
                        )
                    ),
                )
            if late:
                assert s.answer_due is not None
                breach_at = s.answer_due + timedelta(minutes=10)
                self._at(i, breach_at, WATCHER, self._breach)
                self._at(
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

        self._at(i, t + timedelta(minutes=1), OPERATOR, schedule)

    def _breach(self, s: AppealState) -> cmd.Command | None:
        if s.is_closed or s.answer_published_at is not None or s.is_paused:
            return None
        if s.answer_due is None or s.answer_due >= self._now:
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
                self._at(i, at + delay, actor, self._guard(make))
        if reopen and at + timedelta(days=6) <= now:
            self._at(
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

    def _number(self, s: AppealState) -> str:
        return f"Д-{self._now.year}/{self.next_number():06d}"

    # --- run --------------------------------------------------------------------------------
    _now: datetime = datetime.now(UTC)

    def run(self, n: int, now: datetime, chunk: int = 200) -> DemoStats:
        stats = DemoStats()
        self.plan(n, now)
        pending: list[AppealEvent] = []
        for item in self._drain():
            self._now = item.at
            state = self.states.get(item.appeal)
            if isinstance(item.make, cmd.ReceiveAppeal):
                command: cmd.Command | None = item.make
            else:
                assert state is not None
                command = item.make(state)
            if command is None:
                continue
            events = decide(
                state,
                command,
                actor=item.actor,
                now=item.at,
                policy=self.policy,
                appeal_id=self.ids.setdefault(item.appeal, uuid.uuid4()),
            )
            for event in events:
                state = evolve(state, event)
            assert state is not None
            self.states[item.appeal] = state
            pending.extend(events)
            if isinstance(command, cmd.ReceiveAppeal):
                stats.appeals += 1
                stats.by_kind[command.kind] = stats.by_kind.get(command.kind, 0) + 1
            if len(pending) >= chunk:
                stats.position = self.save(pending)
                stats.events += len(pending)
                pending = []
        if pending:
            stats.position = self.save(pending)
            stats.events += len(pending)
        return stats

    def _drain(self) -> Iterator[_Scheduled]:
        while self.queue:
            yield heapq.heappop(self.queue)


def load_demo(
    app: AppealsApplication, appeals: int, *, now: datetime, seed: int = 2026
) -> DemoStats:
    writer = DemoWriter(
        policy=app.policy,
        save=app.save_events,
        next_number=app.appeal_recorder.next_registration_number,
        seed=seed,
    )
    return writer.run(appeals, now)
