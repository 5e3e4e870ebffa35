"""The message stream's decider: queued once, one attempt at a time, an outcome for the attempt in
flight only, a dead letter after the attempts allowed, retried and confirmed by operators."""

from __future__ import annotations

from datetime import timedelta

from domain.outbox import events as ev
from domain.outbox.commands import (
    SYSTEM_COMMANDS,
    ConfirmPrinted,
    MessageCommand,
    QueueMessage,
    RecordFailure,
    RecordSent,
    RetryMessage,
    StartAttempt,
)
from domain.outbox.events import MessageEvent, OutboundChannel
from domain.outbox.state import FINAL, Message, MessageStatus, evolve
from domain.shared.actors import Actor, Role
from domain.shared.envelope import Stamper
from domain.shared.errors import Forbidden, RuleViolated
from domain.shared.handler import Decider, Decision

OPERATORS = frozenset({Role.OPERATOR, Role.CURATOR, Role.HEAD, Role.ADMINISTRATOR})
SENDABLE = frozenset({MessageStatus.QUEUED, MessageStatus.FAILED, MessageStatus.SENDING})


class NotDue(RuleViolated):
    """No attempt is due on the message now (its next one is later, or not by this worker)."""


class AttemptRunning(NotDue):
    """Another worker's attempt on the message is still within its lease."""


def authorise(state: Message | None, command: MessageCommand, actor: Actor) -> None:
    if isinstance(command, SYSTEM_COMMANDS):
        if actor.role is not Role.SYSTEM:
            raise Forbidden("only the outbox's own processes queue and send messages")
        return
    if actor.role not in OPERATORS:
        raise Forbidden("only operators, curators, the head and administrators act on messages")


def _queue(c: QueueMessage, s: Stamper) -> list[MessageEvent]:
    return [
        ev.MessageQueued(
            **s.envelope(),
            message_id=s.stream_id,
            purpose=c.purpose,
            channel=c.channel,
            recipient=c.recipient,
            reply_to=c.reply_to,
            subject=c.subject,
            body=c.body,
            appeal_id=c.appeal_id,
            trigger_type=c.trigger_type,
            trigger_version=c.trigger_version,
            template=c.template,
            article=c.article,
            attachments=c.attachments,
            files=c.files,
        )
    ]


def _start(state: Message, c: StartAttempt, s: Stamper) -> list[MessageEvent]:
    if state.status not in SENDABLE or state.recipient is None:
        raise NotDue(f"a message {state.status.value} is not sent")
    if state.channel not in c.channels:
        raise NotDue(f"the worker does not send by {state.channel.value}")
    if state.status is MessageStatus.FAILED and (state.retry_at is None or s.now < state.retry_at):
        raise NotDue("the message's next attempt is not due yet")
    attempt = state.attempts + 1
    started: list[MessageEvent] = []
    if state.in_flight is not None:
        assert state.started_at is not None
        if s.now < state.started_at + timedelta(seconds=c.lease_seconds):
            raise AttemptRunning("another worker's attempt on this message is running")
        started.append(
            ev.DuplicateSendDetected(
                **s.envelope(),
                message_id=s.stream_id,
                attempt=attempt,
                interrupted_attempt=state.in_flight,
            )
        )
    started.append(
        ev.MessageAttemptStarted(
            **s.envelope(), message_id=s.stream_id, attempt=attempt, worker=c.worker
        )
    )
    return started


def _in_flight(state: Message, attempt: int) -> None:
    if state.in_flight != attempt:
        raise RuleViolated(f"attempt {attempt} of the message is not the one in flight")


def _sent(state: Message, c: RecordSent, s: Stamper) -> list[MessageEvent]:
    _in_flight(state, c.attempt)
    sent: list[MessageEvent] = [
        ev.MessageSent(
            **s.envelope(), message_id=s.stream_id, attempt=c.attempt, reference=c.reference
        )
    ]
    if c.delivered:
        sent.append(
            ev.MessageDelivered(
                **s.envelope(), message_id=s.stream_id, attempt=c.attempt, reference=c.reference
            )
        )
    return sent


def _failed(state: Message, c: RecordFailure, s: Stamper) -> list[MessageEvent]:
    _in_flight(state, c.attempt)
    last = c.permanent or state.counted_attempts >= c.max_attempts
    failed: list[MessageEvent] = [
        ev.MessageFailed(
            **s.envelope(),
            message_id=s.stream_id,
            attempt=c.attempt,
            reason=c.reason,
            permanent=c.permanent,
            retry_at=None if last else c.retry_at,
        )
    ]
    if last:
        failed.append(
            ev.MessageGaveUp(
                **s.envelope(),
                message_id=s.stream_id,
                attempts=state.counted_attempts,
                reason=c.reason,
            )
        )
    return failed


def _retry(state: Message, c: RetryMessage, s: Stamper) -> list[MessageEvent]:
    if state.status is not MessageStatus.DEAD:
        raise RuleViolated("only a dead letter (given up after its attempts) is retried")
    return [ev.MessageRetried(**s.envelope(), message_id=s.stream_id, comment=c.comment)]


def _printed(state: Message, c: ConfirmPrinted, s: Stamper) -> list[MessageEvent]:
    if state.channel is not OutboundChannel.LETTER:
        raise RuleViolated("only a printable letter is confirmed as posted")
    if state.status is not MessageStatus.AWAITING_PRINT:
        raise RuleViolated("the letter is already confirmed as posted")
    return [ev.MessagePrinted(**s.envelope(), message_id=s.stream_id, comment=c.comment)]


def decide(state: Message | None, command: MessageCommand, c: Decision) -> list[MessageEvent]:
    s = Stamper(c.stream_id, c.version, c.actor, c.now, c.now)
    if isinstance(command, QueueMessage):
        return [] if state is not None else _queue(command, s)
    assert state is not None  # the handler loads an existing message for every other command
    if state.status in FINAL and not isinstance(command, RecordSent | RecordFailure):
        raise RuleViolated(f"the message is already {state.status.value}")
    match command:
        case StartAttempt():
            return _start(state, command, s)
        case RecordSent():
            return _sent(state, command, s)
        case RecordFailure():
            return _failed(state, command, s)
        case RetryMessage():
            return _retry(state, command, s)
        case ConfirmPrinted():
            return _printed(state, command, s)
    raise RuleViolated("the message is already queued")


MESSAGE_DECIDER: Decider[Message, MessageCommand, MessageEvent] = Decider(
    name="message",
    events=MessageEvent,
    evolve=evolve,
    decide=decide,
    missing="there is no such message",
    authorise=authorise,
)
