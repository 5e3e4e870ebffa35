"""The appeals application: for each command, load → decide → save, through the eventsourcing
event store. Storage details (the recorder's extra duties: idempotency keys, registration numbers,
positions) come in through the small protocols below; the composition root supplies them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable
from uuid import UUID, uuid4

import msgspec
from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.appeals import commands as cmd
from domain.appeals.decide import authorise, decide
from domain.appeals.events import AppealEvent, AppealReceived, AppealRegistered
from domain.appeals.state import AppealState, evolve
from domain.appeals.vocabulary import Kind
from domain.shared.actors import Actor
from domain.shared.errors import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    InvalidCommand,
    NotFound,
    RuleViolated,
    VersionMismatch,
)
from domain.shared.time import Clock
from domain.sla.clock import SlaClock

REGISTRATION_PREFIX = {Kind.APPEAL: "О", Kind.MESSAGE: "ПОС", Kind.INCIDENT: "ИНЦ", Kind.CALL: "ЗВ"}


class IdempotencyClaim(msgspec.Struct, frozen=True, kw_only=True):
    """A client's Idempotency-Key, scoped to its principal, with a fingerprint of the request."""

    principal: str
    key: str
    fingerprint: str


class IdempotencyRecord(IdempotencyClaim, frozen=True, kw_only=True):
    """Saved with a command's events, in the same transaction: a retry finds it and appends nothing."""

    appeal_id: UUID
    version: int


class RegistrationRecord(msgspec.Struct, frozen=True, kw_only=True):
    """Saved with an ``AppealRegistered`` event, in the same transaction: a number is taken once
    within a municipality (None: the deployment's default one)."""

    municipality: str | None
    number: str
    appeal_id: UUID


class RecordedEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An event with its global position in the log."""

    position: int
    event: AppealEvent


@runtime_checkable
class AppealRecorder(Protocol):
    """What the appeals application needs from its recorder beyond eventsourcing's interface."""

    def find_idempotency(self, principal: str, key: str) -> IdempotencyRecord | None: ...

    def next_registration_number(self) -> int: ...

    def registration_taken(self, municipality: str | None, number: str) -> bool: ...

    def select_positions(self, originator_id: UUID) -> list[tuple[int, int]]: ...

    def select_recorded(self, originator_id: UUID) -> list[tuple[int, str, bytes]]: ...


class RegistrationConflict(IntegrityError):
    """The append failed because a registration number it gives is already taken (the recorder
    classifies the database's error, where its cause is visible)."""


class RegistrationNumberTaken(RuleViolated):
    code = "registration-number-taken"

    def __init__(self) -> None:
        super().__init__("the registration number is already taken by another appeal")


class CommandResult(msgspec.Struct, frozen=True, kw_only=True):
    state: AppealState
    position: int  # the log position of the last event of the command: read-your-writes
    replayed: bool = False  # True when an Idempotency-Key returned an earlier result


class AppealsApplication(Application[UUID]):
    name = "Otklik"  # the events table is otklik_events

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        policy: SlaClock | None = None,
        clock_source: Callable[[], SlaClock] | None = None,
        clock: Clock,
    ) -> None:
        super().__init__(env=env)
        # The SLA clock in force: fixed, or read at each decision (the calendar can be corrected
        # while the application runs).
        self._policy = policy or SlaClock()
        self._clock_source = clock_source
        self.clock = clock
        recorder = self.recorder
        if not isinstance(recorder, AppealRecorder):
            raise TypeError("the appeals application needs an AppealRecorder")
        self.appeal_recorder: AppealRecorder = recorder
        # save_events: the municipality of appeals received in an earlier batch and not yet
        # registered, so that their registration needs no read of the stream
        self._unregistered: dict[UUID, str | None] = {}

    # --- queries ---------------------------------------------------------------------------
    def events_of(self, appeal_id: UUID) -> list[AppealEvent]:
        return [e for e in self.events.get(appeal_id) if isinstance(e, AppealEvent)]

    def use_clock_source(self, source: Callable[[], SlaClock]) -> None:
        self._clock_source = source

    @property
    def policy(self) -> SlaClock:
        return self._clock_source() if self._clock_source is not None else self._policy

    def state(self, appeal_id: UUID, *, version: int | None = None) -> AppealState:
        state: AppealState | None = None
        for event in self.events.get(appeal_id, lte=version):
            if not isinstance(event, AppealEvent):
                break  # another kind of stream (a calendar): not an appeal
            state = evolve(state, event)
        if state is None:
            raise NotFound("there is no such appeal")
        return state

    def state_as_of(self, appeal_id: UUID, moment: datetime) -> AppealState:
        """The appeal as the system knew it at ``moment`` (events recorded up to then)."""
        return self.as_of(appeal_id, moment)[0]

    def as_of(self, appeal_id: UUID, moment: datetime) -> tuple[AppealState, RecordedEvent]:
        """The appeal as the system knew it at ``moment``, and the last event applied."""
        state: AppealState | None = None
        last: RecordedEvent | None = None
        for recorded in self.history(appeal_id):
            if recorded.event.timestamp > moment:
                break
            state = evolve(state, recorded.event)
            last = recorded
        if state is None or last is None:
            raise NotFound("the appeal had not been received by the time asked for (as_of)")
        return state, last

    def history(self, appeal_id: UUID) -> list[RecordedEvent]:
        """The appeal's events with their log positions, read in one query."""
        recorded = []
        for position, topic, state in self.appeal_recorder.select_recorded(appeal_id):
            event = self.mapper.to_domain_event(StoredEvent(appeal_id, 0, topic, state))
            if not isinstance(event, AppealEvent):
                break  # another kind of stream (a calendar): not an appeal
            recorded.append(RecordedEvent(position=position, event=event))
        if not recorded:
            raise NotFound("there is no such appeal")
        return recorded

    # --- commands --------------------------------------------------------------------------
    def receive(
        self, command: cmd.ReceiveAppeal, *, actor: Actor, idempotency: IdempotencyClaim | None
    ) -> CommandResult:
        replay = self._replay(idempotency)
        if replay is not None:
            return replay
        appeal_id = uuid4()
        events = decide(
            None, command, actor=actor, now=self.clock(), policy=self.policy, appeal_id=appeal_id
        )
        return self._save(None, events, idempotency)

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
        replay = self._replay(idempotency)
        if replay is not None:
            return replay
        state = self.state(appeal_id)
        # Who may act before which version: a role that may not act learns nothing of it.
        authorise(type(command), actor, state)
        if expected_version is not None and expected_version != state.version:
            raise VersionMismatch(expected_version, state.version)
        command = self._complete(command, state)
        events = decide(state, command, actor=actor, now=self.clock(), policy=self.policy)
        return self._save(state, events, idempotency)

    def _complete(self, command: cmd.Command, state: AppealState) -> cmd.Command:
        """Fill in what the control centre assigns itself (the registration number)."""
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

    def _replay(self, idempotency: IdempotencyClaim | None) -> CommandResult | None:
        if idempotency is None:
            return None
        earlier = self.appeal_recorder.find_idempotency(idempotency.principal, idempotency.key)
        if earlier is None:
            return None
        if earlier.fingerprint != idempotency.fingerprint:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was already used for a different request"
            )
        state = self.state(earlier.appeal_id, version=earlier.version)
        position = self._positions(earlier.appeal_id)[earlier.version]
        return CommandResult(state=state, position=position, replayed=True)

    def _positions(self, appeal_id: UUID) -> dict[int, int]:
        """Log position of each version of the appeal."""
        return {v: p for p, v in self.appeal_recorder.select_positions(appeal_id)}

    def _save(
        self,
        state: AppealState | None,
        events: Sequence[AppealEvent],
        idempotency: IdempotencyClaim | None,
    ) -> CommandResult:
        for event in events:
            state = evolve(state, event)
        assert state is not None
        kwargs: dict[str, Any] = {}
        if idempotency is not None:
            kwargs["idempotency"] = IdempotencyRecord(
                principal=idempotency.principal,
                key=idempotency.key,
                fingerprint=idempotency.fingerprint,
                appeal_id=state.id,
                version=state.version,
            )
        kwargs["registrations"] = [
            RegistrationRecord(
                municipality=state.municipality,
                number=event.registration_number,
                appeal_id=state.id,
            )
            for event in events
            if isinstance(event, AppealRegistered)
        ]
        try:
            recordings = self.save(*events, **kwargs)
        except RegistrationConflict:
            raise RegistrationNumberTaken() from None
        except IntegrityError:
            replay = self._replay(idempotency)
            if replay is not None:
                return replay
            raise ConcurrencyConflict(
                "another command changed the appeal at the same time; reload it and decide again"
            ) from None
        return CommandResult(state=state, position=recordings[-1].notification.id)

    def save_events(self, events: Sequence[AppealEvent]) -> int:
        """Append already-decided events of many appeals in one transaction (bulk loads), with
        the registration numbers they give (a number taken twice fails the whole batch)."""
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
        recordings = self.save(*events, registrations=registrations)
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
