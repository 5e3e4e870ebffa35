"""The one command handler every stream uses (the decider pattern): load the stream, authorise,
check the expected version, decide, save the events with the idempotency record in the same
transaction, and map a lost race to a conflict. A new kind of stream brings a ``Decider``, never a
copy of this write path."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable
from uuid import UUID

import msgspec
from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.shared.actors import Actor
from domain.shared.envelope import Envelope
from domain.shared.errors import (
    ConcurrencyConflict,
    DomainError,
    IdempotencyKeyReused,
    NotFound,
    VersionMismatch,
)
from domain.shared.time import Clock

S = TypeVar("S")
C = TypeVar("C")
E = TypeVar("E", bound=Envelope)
T = TypeVar("T")


class IdempotencyClaim(msgspec.Struct, frozen=True, kw_only=True):
    """A client's Idempotency-Key, scoped to its principal, with a fingerprint of the request (a
    reactor's key derives from the position of the event that triggered the command)."""

    principal: str
    key: str
    fingerprint: str


class IdempotencyRecord(IdempotencyClaim, frozen=True, kw_only=True):
    """Saved with a command's events, in the same transaction: a retry finds it and appends nothing."""

    stream_id: UUID
    version: int


class RecordedEvent(msgspec.Struct, Generic[E], frozen=True, kw_only=True):
    """An event with its global position in the log."""

    position: int
    event: E


@runtime_checkable
class StreamRecorder(Protocol):
    """What the handler needs from the recorder beyond eventsourcing's interface."""

    def find_idempotency(self, principal: str, key: str) -> IdempotencyRecord | None: ...

    def select_recorded(self, originator_id: UUID) -> list[tuple[int, str, bytes]]: ...


@runtime_checkable
class FingerprintKeyer(Protocol):
    """What keys an idempotency record's fingerprint with a server secret (the event store's
    codec, issue 18): a plain hash of a body that holds a phone number can be guessed back."""

    def keyed_fingerprint(self, fingerprint: str) -> str: ...


def keyed_fingerprints(mapper: object) -> Callable[[str], str]:
    """``mapper``'s keying of fingerprints, or none (the fingerprint as it is)."""
    if isinstance(mapper, FingerprintKeyer):
        return mapper.keyed_fingerprint
    return lambda fingerprint: fingerprint


@dataclass(frozen=True, kw_only=True)
class Decision:
    """What a decision is handed: the stream, its version before the decision, who acts, and now
    (time is passed in, never read)."""

    stream_id: UUID
    version: int
    actor: Actor
    now: datetime


@dataclass(frozen=True, kw_only=True)
class Decider(Generic[S, C, E]):
    """A kind of stream: its events' base class (which tells the kinds apart), how a state
    evolves and how a command is decided; the hooks are for the kinds that need them."""

    name: str  # in messages: "there is no such appeal"
    events: type[E]
    evolve: Callable[[S | None, E], S]
    decide: Callable[[S | None, C, Decision], Sequence[E]]
    missing: str = ""  # the NotFound message when the stream must exist (default: no such name)
    # the version an If-Match names (default: the stream's)
    version: Callable[[S | None, int], int] = field(default=lambda _state, stream: stream)
    # who may act, before the version is compared: a role that may not act learns nothing
    authorise: Callable[[S | None, C, Actor], None] | None = None
    # what the system fills in itself before deciding (a registration number)
    prepare: Callable[[S, C], C] | None = None
    # records the recorder saves with the events (registration numbers), by keyword
    records: Callable[[S, Sequence[E]], Mapping[str, Any]] | None = None
    # a recorder's integrity error that means a domain rule (a number taken), else None
    integrity: Callable[[IntegrityError], DomainError | None] | None = None


@dataclass(frozen=True, kw_only=True)
class Written(Generic[S]):
    state: S
    version: int  # the stream's version after the command
    position: int  # the log position of the command's last event: read-your-writes
    replayed: bool = False  # True when an idempotency key returned an earlier result


@dataclass(frozen=True, kw_only=True)
class Loaded(Generic[S]):
    state: S | None
    version: int
    positions: list[int]  # the log position of each version, in order


class CommandHandler:
    """Loads, decides and saves for every kind of stream, on one event store."""

    def __init__(self, store: Application[UUID], clock: Clock) -> None:
        recorder = store.recorder
        if not isinstance(recorder, StreamRecorder):
            raise TypeError("the command handler needs a recorder with idempotency records")
        self.store = store
        self.recorder: StreamRecorder = recorder
        self.clock = clock
        self.keyed = keyed_fingerprints(store.mapper)

    def read(
        self, kind: type[E], stream_id: UUID, *, version: int | None = None, missing: str = ""
    ) -> list[RecordedEvent[E]]:
        """The stream's events (up to ``version``) with their log positions, in one query. The
        store tells kinds apart: a stream whose events are not of ``kind`` is not found."""
        rows = self.recorder.select_recorded(stream_id)
        if version is not None:
            rows = rows[:version]
        found: list[RecordedEvent[E]] = []
        for position, topic, data in rows:
            event = self.store.mapper.to_domain_event(StoredEvent(stream_id, 0, topic, data))
            if not isinstance(event, kind):
                raise NotFound(missing or "there is no such stream")
            found.append(RecordedEvent(position=position, event=event))
        return found

    def load(
        self, decider: Decider[S, Any, E], stream_id: UUID, *, version: int | None = None
    ) -> Loaded[S]:
        """The stream folded (up to ``version``); a stream of another kind is not found."""
        missing = decider.missing or f"there is no such {decider.name}"
        state: S | None = None
        recorded = self.read(decider.events, stream_id, version=version, missing=missing)
        for each in recorded:
            state = decider.evolve(state, each.event)
        positions = [each.position for each in recorded]
        return Loaded(state=state, version=len(positions), positions=positions)

    def handle(
        self,
        decider: Decider[S, C, E],
        stream_id: UUID,
        command: C,
        *,
        actor: Actor,
        expected_version: int | None = None,
        idempotency: IdempotencyClaim | None = None,
        new: bool = False,
        must_exist: bool = True,
    ) -> Written[S]:
        """Decide ``command`` on the stream and save what it decides. ``new``: the stream is
        being created (nothing to load); ``must_exist=False``: a stream not yet written is decided
        from no state (a first publication)."""
        if not new or idempotency is None:
            replay = self._replay(decider, idempotency)
            if replay is not None:
                return replay
            return self._decide(
                decider, stream_id, command, actor, expected_version, idempotency, new, must_exist
            )
        # A new stream's retry is found by its key's row, taken again in the save, or when the
        # decision refuses it now: no lookup before, the first attempt is the common case.
        try:
            return self._decide(
                decider, stream_id, command, actor, expected_version, idempotency, new, must_exist
            )
        except DomainError:
            replay = self._replay(decider, idempotency)
            if replay is not None:
                return replay
            raise

    def _decide(
        self,
        decider: Decider[S, C, E],
        stream_id: UUID,
        command: C,
        actor: Actor,
        expected_version: int | None,
        idempotency: IdempotencyClaim | None,
        new: bool,
        must_exist: bool,
    ) -> Written[S]:
        loaded: Loaded[S] = Loaded(state=None, version=0, positions=[])
        if not new:
            loaded = self.load(decider, stream_id)
            if loaded.state is None and must_exist:
                raise NotFound(decider.missing or f"there is no such {decider.name}")
        state = loaded.state
        if decider.authorise is not None:
            decider.authorise(state, command, actor)
        current = decider.version(state, loaded.version)
        if expected_version is not None and expected_version != current:
            raise VersionMismatch(expected_version, current, decider.name)
        if decider.prepare is not None and state is not None:
            command = decider.prepare(state, command)
        context = Decision(
            stream_id=stream_id, version=loaded.version, actor=actor, now=self.clock()
        )
        events = decider.decide(state, command, context)
        return self._save(decider, stream_id, state, loaded.version, events, idempotency)

    def _save(
        self,
        decider: Decider[S, Any, E],
        stream_id: UUID,
        state: S | None,
        version: int,
        events: Sequence[E],
        idempotency: IdempotencyClaim | None,
    ) -> Written[S]:
        for event in events:
            state = decider.evolve(state, event)
        assert state is not None, "a decision on a new stream must decide an event"
        version += len(events)
        kwargs: dict[str, Any] = dict(decider.records(state, events)) if decider.records else {}
        if idempotency is not None:
            kwargs["idempotency"] = IdempotencyRecord(
                principal=idempotency.principal,
                key=idempotency.key,
                fingerprint=self.keyed(idempotency.fingerprint),
                stream_id=stream_id,
                version=version,
            )
        try:
            recordings = self.store.save(*events, **kwargs)
        except IntegrityError as error:
            ruled = decider.integrity(error) if decider.integrity else None
            if ruled is not None:
                raise ruled from None
            replay = self._replay(decider, idempotency)
            if replay is not None:
                return replay
            raise ConcurrencyConflict(
                f"another command changed the {decider.name} at the same time;"
                " reload it and decide again"
            ) from None
        position = recordings[-1].notification.id if recordings else 0
        return Written(state=state, version=version, position=position)

    def _replay(
        self, decider: Decider[S, Any, E], idempotency: IdempotencyClaim | None
    ) -> Written[S] | None:
        """The earlier result of a command with the same idempotency key, if there was one."""
        if idempotency is None:
            return None
        earlier = self.recorder.find_idempotency(idempotency.principal, idempotency.key)
        if earlier is None:
            return None
        # a record kept before fingerprints were keyed holds the plain one
        if earlier.fingerprint not in (
            idempotency.fingerprint,
            self.keyed(idempotency.fingerprint),
        ):
            raise IdempotencyKeyReused(
                "this Idempotency-Key was already used for a different request"
            )
        loaded = self.load(decider, earlier.stream_id, version=earlier.version)
        assert loaded.state is not None
        return Written(
            state=loaded.state,
            version=loaded.version,
            position=loaded.positions[-1],
            replayed=True,
        )


def retry_on_conflict(attempt: Callable[[], T], attempts: int = 3) -> T:
    """Run ``attempt`` again when another command won the race (it decides again on the new
    state); the last conflict is raised when every attempt lost."""
    for _ in range(attempts - 1):
        try:
            return attempt()
        except ConcurrencyConflict:
            continue
    return attempt()
