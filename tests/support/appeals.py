"""Given/when/then helpers for the appeal's decisions: no database, a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from domain.appeals import commands as cmd
from domain.appeals.decide import decide
from domain.appeals.events import AppealEvent
from domain.appeals.state import AppealState, fold
from domain.appeals.vocabulary import Channel, Kind
from domain.shared.actors import Actor, Role
from domain.sla.clock import SlaClock
from infra.calendar_source import russian_calendar

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
POLICY = SlaClock(calendar=russian_calendar([2025, 2026, 2027]))
OPERATOR = Actor(id="op-1", role=Role.OPERATOR, name="Оператор")
CURATOR = Actor(id="cur-1", role=Role.CURATOR, name="Куратор")
SECURITY = Actor(id="sec-1", role=Role.SECURITY_ADMIN, name="Администратор безопасности")
HEAD = Actor(id="head-1", role=Role.HEAD, name="Глава")  # extends terms (ст.12 ч.2 59-ФЗ)
EXECUTOR = Actor(id="ex-1", role=Role.EXECUTOR, name="Исполнитель", department="ugkh")
OTHER_EXECUTOR = Actor(id="ex-2", role=Role.EXECUTOR, name="Чужой", department="ukult")
AUDITOR = Actor(id="au-1", role=Role.AUDITOR, name="Аудитор")
WATCHER = Actor(id="watcher", role=Role.SYSTEM, name="Контроль сроков")


def receive(
    kind: Kind = Kind.MESSAGE, channel: Channel = Channel.POS, **fields: object
) -> cmd.ReceiveAppeal:
    defaults: dict[str, object] = {
        "text": "Не горят фонари во дворе",
        "citizen": cmd.CitizenContactInput(full_name="Петров П. П.", phone="+7 900 111-22-33"),
    }
    if kind is Kind.INCIDENT:
        defaults["external_id"] = "https://vk.com/wall-1_2"
    defaults.update(fields)
    return cmd.ReceiveAppeal(kind=kind, channel=channel, **defaults)  # type: ignore[arg-type]


class Scenario:
    """Builds an appeal's history one command at a time, advancing a fixed clock."""

    def __init__(
        self, start: datetime = NOW, appeal_id: UUID | None = None, policy: SlaClock = POLICY
    ) -> None:
        self.now = start
        self.policy = policy
        self.appeal_id = appeal_id or uuid4()
        self.events: list[AppealEvent] = []

    @property
    def state(self) -> AppealState | None:
        return fold(self.events)

    def when(
        self, command: cmd.Command, actor: Actor = OPERATOR, after: timedelta = timedelta(minutes=5)
    ) -> list[AppealEvent]:
        """Decide on the current state; the events are not yet part of the history."""
        self.now += after
        return decide(
            self.state,
            command,
            actor=actor,
            now=self.now,
            policy=self.policy,
            appeal_id=self.appeal_id,
        )

    def given(
        self,
        *commands: cmd.Command,
        actor: Actor = OPERATOR,
        after: timedelta = timedelta(minutes=5),
    ) -> Scenario:
        for command in commands:
            self.events.extend(self.when(command, actor, after))
        return self


REGISTER = cmd.RegisterAppeal(registration_number="ПОС-2026/000001")
CATEGORISE = cmd.CategoriseAppeal(topic="Благоустройство", essence="Не горят фонари")
ASSIGN = cmd.AssignAppeal(department="ugkh", executor="belova")
DRAFT = cmd.DraftAnswer(text="Фонари отремонтированы")


def answered() -> Scenario:
    """An appeal whose approved answer was published and delivered."""
    return Scenario().given(
        receive(),
        REGISTER,
        CATEGORISE,
        ASSIGN,
        DRAFT,
        cmd.ApproveAnswer(),
        cmd.PublishAnswer(),
        cmd.ConfirmAnswerDelivery(),
    )
