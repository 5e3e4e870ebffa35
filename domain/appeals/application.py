"""The appeals application: the event store every stream shares, and the appeals' commands on it,
each through the one command handler with the appeal's decider. Storage details (registration
numbers, positions) come in through the small protocol below; the composition root supplies them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable
from uuid import UUID, uuid4

import msgspec
from eventsourcing.application import Application

from domain.appeals import commands as cmd
from domain.appeals import directory_routing
from domain.appeals.decide import authorise, decide
from domain.appeals.decisions.article11 import check_earlier_answered
from domain.appeals.events import AppealEvent, AppealReceived, AppealRegistered
from domain.appeals.registrations import (
    RegistrationNumberTaken,
    RegistrationRecord,
    number_taken,
)
from domain.appeals.registrations import registrations as registration_records
from domain.appeals.state import AppealState, evolve
from domain.appeals.vocabulary import Kind
from domain.organisation.directory import Directory
from domain.rubricator.state import Rubricator
from domain.shared.actors import Actor
from domain.shared.errors import InvalidCommand, NotFound
from domain.shared.handler import (
    CommandHandler,
    Decider,
    Decision,
    IdempotencyClaim,
    IdempotencyRecord,
    RecordedEvent,
    Written,
)
from domain.shared.time import Clock
from domain.sla.clock import SlaClock

REGISTRATION_PREFIX = {Kind.APPEAL: "О", Kind.MESSAGE: "ПОС", Kind.INCIDENT: "ИНЦ", Kind.CALL: "ЗВ"}

__all__ = ["IdempotencyClaim", "IdempotencyRecord", "RecordedEvent"]  # re-exported


@runtime_checkable
class AppealRecorder(Protocol):
    """What the appeals application needs from its recorder beyond eventsourcing's interface."""

    def next_registration_number(self) -> int: ...

    def registration_taken(self, municipality: str | None, number: str) -> bool: ...

    def select_recorded(self, originator_id: UUID) -> list[tuple[int, str, bytes]]: ...


class CommandResult(msgspec.Struct, frozen=True, kw_only=True):
    state: AppealState
    position: int  # the log position of the last event of the command: read-your-writes
    replayed: bool = False  # True when an Idempotency-Key returned an earlier result

    @classmethod
    def of(cls, written: Written[AppealState]) -> CommandResult:
        return cls(state=written.state, position=written.position, replayed=written.replayed)


def _authorise(state: AppealState | None, command: cmd.Command, actor: Actor) -> None:
    authorise(type(command), actor, state)


class AppealsApplication(Application[UUID]):
    """The event store (every stream's, in one log) and the appeals' commands on it."""

    name = "Otklik"  # the events table is otklik_events

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        policy: SlaClock | None = None,
        clock_source: Callable[[], SlaClock] | None = None,
        clock: Clock,
        directory: Callable[[], Directory] | None = None,
        rubricator: Callable[[], Rubricator] | None = None,
    ) -> None:
        super().__init__(env=env)
        # The administration's directory: assignments and escalations are checked against it
        # and name units and people by id (None: names are taken as typed, as before issue 15).
        self.directory = directory
        self.rubricator = rubricator  # categorise takes its codes (None: topics as typed)
        # The SLA clock in force: fixed, or read at each decision (the calendar can be corrected
        # while the application runs).
        self._policy = policy or SlaClock()
        self._clock_source = clock_source
        self.clock = clock
        recorder = self.recorder
        if not isinstance(recorder, AppealRecorder):
            raise TypeError("the appeals application needs an AppealRecorder")
        self.appeal_recorder: AppealRecorder = recorder
        self.handler = CommandHandler(self, clock)
        self.decider: Decider[AppealState, cmd.Command, AppealEvent] = Decider(
            name="appeal",
            events=AppealEvent,
            evolve=evolve,
            decide=self._decide,
            authorise=self._authorise,
            prepare=self._complete,
            records=registration_records,
            integrity=number_taken,
        )
        # save_events: the municipality of appeals received in an earlier batch and not yet
        # registered, so that their registration needs no read of the stream
        self._unregistered: dict[UUID, str | None] = {}

    def _authorise(self, state: AppealState | None, command: cmd.Command, actor: Actor) -> None:
        """The role and department rule; an appeal assigned before the directory by a name is
        its unit's (the name resolves through the directory's names and aliases)."""
        _authorise(self._resolved(state), command, actor)

    def department_of(self, state: AppealState) -> str | None:
        """The appeal's unit: its department as the directory resolves it (an older name)."""
        resolved = self._resolved(state)
        return resolved.department if resolved is not None else None

    def _resolved(self, state: AppealState | None) -> AppealState | None:
        if state is None or self.directory is None:
            return state
        return directory_routing.resolved(self.directory(), state)

    # --- queries ---------------------------------------------------------------------------
    def events_of(self, appeal_id: UUID) -> list[AppealEvent]:
        return [r.event for r in self.history(appeal_id)]

    def use_clock_source(self, source: Callable[[], SlaClock]) -> None:
        self._clock_source = source

    @property
    def policy(self) -> SlaClock:
        return self._clock_source() if self._clock_source is not None else self._policy

    def state(self, appeal_id: UUID, *, version: int | None = None) -> AppealState:
        state = self.handler.load(self.decider, appeal_id, version=version).state
        if state is None:
            raise NotFound("there is no such appeal")
        return state

    def _found(self, appeal_id: UUID) -> AppealState | None:
        return self.handler.load(self.decider, appeal_id).state

    def state_as_of(self, appeal_id: UUID, moment: datetime) -> AppealState:
        """The appeal as the system knew it at ``moment`` (events recorded up to then)."""
        return self.as_of(appeal_id, moment)[0]

    def as_of(
        self, appeal_id: UUID, moment: datetime
    ) -> tuple[AppealState, RecordedEvent[AppealEvent]]:
        """The appeal as the system knew it at ``moment``, and the last event applied."""
        state: AppealState | None = None
        last: RecordedEvent[AppealEvent] | None = None
        for recorded in self.history(appeal_id):
            if recorded.event.timestamp > moment:
                break
            state = evolve(state, recorded.event)
            last = recorded
        if state is None or last is None:
            raise NotFound("the appeal had not been received by the time asked for (as_of)")
        return state, last

    def history(self, appeal_id: UUID) -> list[RecordedEvent[AppealEvent]]:
        """The appeal's events with their log positions, read in one query (a stream of another
        kind is not an appeal)."""
        recorded = self.handler.read(AppealEvent, appeal_id, missing="there is no such appeal")
        if not recorded:
            raise NotFound("there is no such appeal")
        return recorded

    # --- commands --------------------------------------------------------------------------
    def receive(
        self, command: cmd.ReceiveAppeal, *, actor: Actor, idempotency: IdempotencyClaim | None
    ) -> CommandResult:
        written = self.handler.handle(
            self.decider, uuid4(), command, actor=actor, idempotency=idempotency, new=True
        )
        return CommandResult.of(written)

    def handle(
        self,
        appeal_id: UUID,
        command: cmd.Command,
        *,
        actor: Actor,
        expected_version: int | None = None,
        idempotency: IdempotencyClaim | None = None,
    ) -> CommandResult:
        if isinstance(command, cmd.ReceiveAppeal):
            raise InvalidCommand("a new appeal is received with POST /appeals")
        written = self.handler.handle(
            self.decider,
            appeal_id,
            command,
            actor=actor,
            expected_version=expected_version,
            idempotency=idempotency,
        )
        return CommandResult.of(written)

    def _decide(
        self, state: AppealState | None, command: cmd.Command, context: Decision
    ) -> list[AppealEvent]:
        return decide(
            self._resolved(state),
            command,
            actor=context.actor,
            now=context.now,
            policy=self.policy,
            appeal_id=context.stream_id,
        )

    def _complete(self, state: AppealState, command: cmd.Command) -> cmd.Command:
        """Fill in what the control centre assigns itself (the registration number); check what
        a decision refers to in other appeals (ст.11 ч.5: the earlier answered ones)."""
        if isinstance(command, cmd.EndCorrespondence):
            check_earlier_answered(state, command, self._found)
            return command
        if self.directory is not None:
            today = self.clock().astimezone(self.policy.zone).date()
            rubricator = self.rubricator() if self.rubricator is not None else None
            command = directory_routing.complete(
                self.directory(), state, command, today, rubricator
            )
        if not isinstance(command, cmd.RegisterAppeal):
            return command
        if command.registration_number is not None:
            if self.appeal_recorder.registration_taken(
                state.municipality, command.registration_number
            ):
                raise RegistrationNumberTaken()
            return command
        year = (command.occurred_at or self.clock()).astimezone(self.policy.zone).year
        prefix = REGISTRATION_PREFIX[state.kind]
        while True:  # a clerk may have typed a number the sequence had yet to issue
            number = self.appeal_recorder.next_registration_number()
            candidate = f"{prefix}-{year}/{number:06d}"
            if not self.appeal_recorder.registration_taken(state.municipality, candidate):
                return msgspec.structs.replace(command, registration_number=candidate)

    def save_events(
        self, events: Sequence[AppealEvent], idempotency: Sequence[IdempotencyRecord] = ()
    ) -> int:
        """Append already-decided events of many appeals in one transaction (bulk loads), with
        the registration numbers they give (a number taken twice fails the whole batch) and the
        idempotency records of the intake items they receive (a bulk import's)."""
        received = {
            e.originator_id: e.municipality for e in events if isinstance(e, AppealReceived)
        }
        registered = [e for e in events if isinstance(e, AppealRegistered)]
        registrations = [
            RegistrationRecord(
                municipality=self._bulk_municipality(e.originator_id, received),
                number=e.registration_number,
                appeal_id=e.originator_id,
            )
            for e in registered
        ]
        extra: dict[str, Any] = {"idempotency_records": list(idempotency)} if idempotency else {}
        recordings = self.save(*events, registrations=registrations, **extra)
        self._unregistered.update(received)
        for e in registered:
            self._unregistered.pop(e.originator_id, None)
        return recordings[-1].notification.id if recordings else 0

    def _bulk_municipality(self, appeal_id: UUID, received: dict[UUID, str | None]) -> str | None:
        """The appeal's municipality: from this batch, an earlier batch, or else its stream."""
        if appeal_id in received:
            return received[appeal_id]
        if appeal_id in self._unregistered:
            return self._unregistered[appeal_id]
        return self.state(appeal_id).municipality
