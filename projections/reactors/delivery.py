"""The delivery worker, a reactor with a timer: it sends each queued message by its channel and
records the outcome on the message's stream; failures are retried with exponential backoff and,
after the attempts allowed, given up (a dead letter an operator may retry).

It reacts to ``MessageQueued`` and ``MessageRetried`` (sent at once), and its timer finds in the
outbox view the failed messages due again and the attempts a dead worker left in flight.

**Exactly once, visibly.** Before sending, the worker records the attempt's marker
(``MessageAttemptStarted``, on the message's version: two workers racing collide, one sends).
After the channel accepts, it records ``AnswerDelivered`` on the appeal when the message is its
answer (keyed by the message's id), then ``MessageSent``/``MessageDelivered``. A worker killed
between sending and recording leaves the attempt in flight; once the attempt's lease has passed,
the next worker sends it again under the same id (the SMTP Message-ID, the VK random_id) and
records ``DuplicateSendDetected``: a crash may send one message twice, detectably, and never
loses one. A worker runs one message at a time, so a crash leaves at most one attempt in flight.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import structlog

from domain.outbox.commands import RecordFailure, StartAttempt
from domain.outbox.events import MessageQueued, MessageRetried, OutboundChannel
from domain.outbox.sending import Refused, Sender
from domain.outbox.service import OutboxService
from domain.outbox.state import Message, MessageStatus
from domain.shared.errors import ConcurrencyConflict, NotFound, RuleViolated
from projections.engine.model import ProjectionNotReady
from projections.engine.reactor import ReactorBatch
from projections.outbox import OutboxQueries

log = structlog.get_logger("otklik.outbox")


@dataclass(frozen=True)
class Policy:
    """How hard the worker tries: ``max_attempts`` before a dead letter, the first retry's delay
    doubling up to ``max_backoff``; ``lease_seconds`` after which an attempt left in flight is
    taken for a dead worker's."""

    max_attempts: int = 5
    backoff_seconds: float = 60.0
    max_backoff_seconds: float = 3600.0
    lease_seconds: float = 120.0
    batch: int = 200  # messages one tick sends at most

    def retry_at(self, now: datetime, attempts: int) -> datetime:
        delay = min(self.backoff_seconds * 2 ** max(attempts - 1, 0), self.max_backoff_seconds)
        return now + timedelta(seconds=delay)


def _nothing(_channel: str) -> None:
    return None


@dataclass
class Counters:
    """Metrics, each called with the channel: sent, failed, dead, duplicates."""

    sent: Callable[[str], None] = _nothing
    failed: Callable[[str], None] = _nothing
    dead: Callable[[str], None] = _nothing
    duplicate: Callable[[str], None] = _nothing


class OutboxDelivery:
    name = "outbox_delivery"
    version = 1
    topics = frozenset({MessageQueued.__name__, MessageRetried.__name__})

    def __init__(
        self,
        outbox: OutboxService,
        queries: OutboxQueries,
        senders: Mapping[OutboundChannel, Sender],
        clock: Callable[[], datetime],
        *,
        worker: str,
        policy: Policy | None = None,
        interval: float = 5.0,
        counters: Counters | None = None,
    ) -> None:
        self.outbox = outbox
        self.queries = queries
        self.senders = dict(senders)  # a channel with no sender configured: its messages wait
        self.clock = clock
        self.worker = worker
        self.policy = policy or Policy()
        self.tick_seconds = interval
        self.counters = counters or Counters()

    def react(self, batch: ReactorBatch) -> None:
        for item in batch.events:
            message_id = getattr(item.event, "message_id", None)
            if isinstance(message_id, UUID):
                self.deliver(message_id)

    def tick(self, now: datetime) -> int:
        """Send what is due; the number of messages the channels accepted."""
        if not self.senders:
            return 0
        channels = [c.value for c in self.senders]
        try:
            due = self.queries.due(now, channels, self.policy.lease_seconds, self.policy.batch)
        except ProjectionNotReady:
            return 0
        return sum(self.deliver(message_id) for message_id in due)

    def deliver(self, message_id: UUID) -> bool:
        """One attempt on the message if one is due (the attempt's decision says: one query
        less per message); True when the channel accepted it."""
        if not self.senders:
            return False
        start = StartAttempt(
            worker=self.worker,
            lease_seconds=self.policy.lease_seconds,
            channels=frozenset(self.senders),
        )
        try:
            started = self.outbox.start(message_id, start)
        except (RuleViolated, ConcurrencyConflict, NotFound):
            return False  # not due, sent or being sent by another worker, or no such message
        sender = self.senders[started.channel]
        channel = started.channel.value
        if started.resent_attempt == started.attempts:
            self.counters.duplicate(channel)
            log.warning("outbox.resent_after_crash", message_id=str(message_id), channel=channel)
        attempt = started.attempts
        try:
            accepted = sender.send(started)
        except Refused as refused:
            self._failed(started, attempt, refused.reason, refused.permanent)
            return False
        except Exception as error:  # a sender's own fault: counted like a refusal, retried
            self._failed(started, attempt, f"{channel} error: {type(error).__name__}", False)
            return False
        self.outbox.answer_delivered(started, accepted.reference)
        self.outbox.sent(message_id, attempt, accepted.reference)
        self.counters.sent(channel)
        return True

    def _failed(self, message: Message, attempt: int, reason: str, permanent: bool) -> None:
        now = self.clock()
        command = RecordFailure(
            attempt=attempt,
            reason=reason[:300],
            permanent=permanent,
            retry_at=self.policy.retry_at(now, message.counted_attempts),
            max_attempts=self.policy.max_attempts,
        )
        after = self.outbox.failed(message.message_id, command)
        channel = message.channel.value
        self.counters.failed(channel)
        if after.status is MessageStatus.DEAD:
            self.counters.dead(channel)
        log.warning(
            "outbox.failed",
            message_id=str(message.message_id),
            channel=channel,
            attempt=attempt,
            reason=reason[:300],
            dead=after.status is MessageStatus.DEAD,
        )
