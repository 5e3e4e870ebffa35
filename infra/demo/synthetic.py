"""A large event log, fast, for benchmarks and crash tests.

One city's year of appeals is planned and decided through the domain once (the demo planner, so
every event obeys the invariants), then replayed for many municipalities at once: each copy gets
fresh appeal ids, the copies are interleaved event by event (so the log stays in time order and
an appeal's events are spread over the log as in a region's real one), and the result is
appended in large batches through the event store's own recorder."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from itertools import count

from eventsourcing.persistence import StoredEvent

from domain.appeals import commands as cmd
from domain.appeals.application import AppealsApplication
from domain.appeals.events import AppealEvent
from domain.appeals.vocabulary import Channel, Kind, Outcome, ReopenedBy, ReworkReason
from infra.demo.appeals import DemoWriter

_NAMESPACE = uuid.UUID("6f0d8f0e-5c1a-4f57-9c55-0a7e1c0b2d11")


def template(
    app: AppealsApplication, appeals: int, *, now: datetime, seed: int
) -> list[StoredEvent]:
    """One city's appeals, decided in time order, as stored events (nothing is saved)."""
    decided: list[AppealEvent] = []
    numbers = count(1)

    def keep(events: list[AppealEvent]) -> int:
        decided.extend(events)
        return len(decided)

    DemoWriter(policy=app.policy, save=keep, next_number=lambda: next(numbers), seed=seed).run(
        appeals, now, chunk=10**9
    )
    return [app.mapper.to_stored_event(event) for event in decided]


class _Split:
    """A stored event's bytes cut around the template appeal ids it mentions (quoted JSON
    strings of 36 characters), so a copy is a join with that copy's ids."""

    __slots__ = ("ids", "originator", "parts", "topic", "version")

    def __init__(self, event: StoredEvent, known: dict[str, uuid.UUID]) -> None:
        self.originator = uuid.UUID(str(event.originator_id))
        self.version = event.originator_version
        self.topic = event.topic
        text = event.state
        self.parts: list[bytes] = []
        self.ids: list[uuid.UUID] = []
        start = 0
        quote = text.find(b'"')
        while quote >= 0:
            token = text[quote + 1 : quote + 37].decode("ascii", "ignore")
            if text[quote + 37 : quote + 38] == b'"' and token in known:
                self.parts.append(text[start : quote + 1])
                self.ids.append(known[token])
                start = quote + 37
                quote = text.find(b'"', quote + 38)
            else:
                quote = text.find(b'"', quote + 1)
        self.parts.append(text[start:])


def replicate(stored: Sequence[StoredEvent], copies: int) -> Iterator[StoredEvent]:
    """``copies`` municipalities' worth of ``stored``, interleaved event by event."""
    known = {str(e.originator_id): uuid.UUID(str(e.originator_id)) for e in stored}
    splits = [_Split(e, known) for e in stored]
    fresh = [
        {original: uuid.uuid5(_NAMESPACE, f"{copy}:{original}") for original in known.values()}
        for copy in range(copies)
    ]
    for split in splits:
        for copy in range(copies):
            ids = fresh[copy]
            pieces = [split.parts[0]]
            for mentioned, part in zip(split.ids, split.parts[1:], strict=True):
                pieces.append(str(ids[mentioned]).encode())
                pieces.append(part)
            yield StoredEvent(
                originator_id=ids[split.originator],
                originator_version=split.version,
                topic=split.topic,
                state=b"".join(pieces),
            )


def load(
    app: AppealsApplication,
    events: int,
    *,
    now: datetime,
    appeals_per_city: int = 1000,
    seed: int = 2026,
    chunk: int = 200,  # larger pipelines stalled on the embedded server's Unix socket
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Append ``events`` events (rounded up to a whole chunk) through the recorder, ``chunk``
    per transaction; the log is cut at a moment of the year. Returns how many were appended."""
    stored = template(app, appeals_per_city, now=now, seed=seed)
    copies = max(1, -(-events // len(stored)))
    done = 0
    pending: list[StoredEvent] = []
    for event in replicate(stored, copies):
        pending.append(event)
        if len(pending) == chunk:
            app.recorder.insert_events(pending)
            done += len(pending)
            pending = []
            if on_progress is not None:
                on_progress(done)
            if done >= events:
                return done
    if pending:
        app.recorder.insert_events(pending)
        done += len(pending)
    return done


def long_life() -> list[cmd.Command]:
    """The commands after ``LONG_LIFE_RECEIPT`` of one long appeal (30 events in all):
    registered, categorised, assigned, interim answers, answers returned for rework twice,
    answered, rated badly, reopened by the citizen twice, answered again, rated well, closed."""
    rework = cmd.ReturnAnswerForRework(
        reason=ReworkReason.FORMAL_REPLY, comment="Ответ не по существу: нет срока устранения"
    )
    answer = cmd.DraftAnswer(text="Яма заделана, фотографии приложены")
    answered = [answer, cmd.ApproveAnswer(), cmd.PublishAnswer(), cmd.ConfirmAnswerDelivery()]
    reopen = cmd.ReopenAppeal(reason="Яма появилась снова", by=ReopenedBy.CITIZEN)
    return [
        cmd.RegisterAppeal(),
        cmd.CategoriseAppeal(topic="M.02", essence="Яма на дороге у дома 5"),  # «Ямы на дорогах»
        cmd.AssignAppeal(department="ugkh"),  # a unit of the demo and the test directories
        cmd.GiveInterimAnswer(text="Обращение принято в работу"),
        cmd.DraftAnswer(text="Проверим"),
        rework,
        cmd.GiveInterimAnswer(text="Запрошены сведения у подрядчика"),
        cmd.DraftAnswer(text="Проверим в течение месяца"),
        rework,
        *answered,
        cmd.RateSatisfaction(score=2),
        reopen,
        cmd.GiveInterimAnswer(text="Направлена бригада"),
        *answered,
        cmd.RateSatisfaction(score=3),
        reopen,
        cmd.GiveInterimAnswer(text="Повторный выезд назначен"),
        *answered,
        cmd.RateSatisfaction(score=5),
        cmd.CloseAppeal(outcome=Outcome.ANSWERED),
    ]


LONG_LIFE_RECEIPT = cmd.ReceiveAppeal(
    kind=Kind.APPEAL, channel=Channel.EMAIL, text="Яма на дороге у дома 5 по ул. Ленина"
)
