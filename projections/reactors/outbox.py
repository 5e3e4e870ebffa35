"""The outbox reactor: every appeal act that must reach someone (the answer, interim answers, the
notices the law requires, registration confirmations, escalations) becomes an outgoing message,
rendered from its template and addressed, queued on a stream of its own.

The message's id derives from the act (the appeal, its event's version) and its purpose, so a
batch handed over again, or two builds of the reactor side by side, find it queued and append
nothing. Delivery is another reactor's (``outbox_delivery``); a message with no address is queued
all the same, visible to the operators."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol
from uuid import UUID

import structlog

from domain.appeals.application import AppealsApplication
from domain.appeals.events import AppealEvent
from domain.outbox.commands import QueueMessage
from domain.outbox.events import message_stream
from domain.outbox.service import OutboxService
from domain.shared.actors import is_imported
from projections.engine.reactor import ReactorBatch
from projections.reactors.outbox_drafts import TRIGGERS, Draft, Drafting

log = structlog.get_logger("otklik.outbox")


class Rendered(Protocol):
    @property
    def subject(self) -> str: ...

    @property
    def body(self) -> str: ...


Render = Callable[[str, Mapping[str, Any]], Rendered]


class OutboxReactor:
    name = "outbox"
    version = 1
    topics = TRIGGERS

    def __init__(
        self,
        appeals: AppealsApplication,
        outbox: OutboxService,
        render: Render,
        drafting: Drafting,
        *,
        on_queued: Callable[[str], None] = lambda _channel: None,
    ) -> None:
        self.appeals = appeals
        self.outbox = outbox
        self.render = render
        self.drafting = drafting
        self.on_queued = on_queued  # a metric: the channel of each message queued

    def react(self, batch: ReactorBatch) -> None:
        histories: dict[UUID, list[AppealEvent]] = {}
        for item in batch.events:
            act = item.event
            if not isinstance(act, AppealEvent) or is_imported(act.actor):
                continue  # an imported history's acts were the source's: it told the citizen
            appeal_id = act.originator_id
            if appeal_id not in histories:  # one read per appeal and batch
                histories[appeal_id] = self.appeals.events_of(appeal_id)
            history = histories[appeal_id][: act.originator_version]
            for draft in self.drafting.drafts(history):
                self.queue(appeal_id, act, draft)

    def queue(self, appeal_id: UUID, act: AppealEvent, draft: Draft) -> UUID:
        message_id = message_stream(appeal_id, act.originator_version, draft.purpose)
        rendered = self.render(draft.template, draft.variables)
        command = QueueMessage(
            purpose=draft.purpose,
            channel=draft.address.channel,
            recipient=draft.address.recipient,
            reply_to=draft.address.reply_to,
            subject=rendered.subject,
            body=rendered.body,
            appeal_id=appeal_id,
            trigger_type=type(act).__name__,
            trigger_version=act.originator_version,
            template=draft.template,
            article=draft.article,
        )
        if self.outbox.queue(message_id, command):
            self.on_queued(draft.address.channel.value)
            log.info(
                "outbox.queued",
                message_id=str(message_id),
                appeal_id=str(appeal_id),
                purpose=draft.purpose.value,
                channel=draft.address.channel.value,
            )
        return message_id
