"""The outbox's parts built from the settings: the message service, the view's queries, the
reactor that queues (with the templates and the administration's details), the delivery worker
with a sender per configured channel, and the metrics they count."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from psycopg_pool import ConnectionPool

from api.metrics import OUTBOX_DEAD, OUTBOX_DUPLICATES, OUTBOX_FAILED, OUTBOX_SENT
from domain.appeals.application import AppealsApplication
from domain.outbox.events import OutboundChannel
from domain.outbox.sending import Sender
from domain.outbox.service import OutboxService
from infra.outbound.config import OutboundSettings
from infra.outbound.messengers import TelegramSender, VkSender
from infra.outbound.rendering import DETAILS, Renderer, load_municipality
from infra.outbound.smtp import SmtpSender
from projections.outbox import OutboxQueries
from projections.reactors.delivery import Counters, OutboxDelivery, Policy
from projections.reactors.outbox import OutboxReactor
from projections.reactors.outbox_drafts import Drafting

RatingLink = Callable[[UUID, int], str]


def senders(settings: OutboundSettings) -> dict[OutboundChannel, Sender]:
    """A sender per configured channel (none configured: messages wait, visible)."""
    found: dict[OutboundChannel, Sender] = {}
    timeout = settings.send_timeout
    if settings.smtp_host:
        found[OutboundChannel.EMAIL] = SmtpSender(
            settings.smtp_host,
            settings.smtp_port,
            settings.mail_from,
            user=settings.smtp_user,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            timeout=timeout,
        )
    if settings.telegram_token:
        found[OutboundChannel.TELEGRAM] = TelegramSender(
            settings.telegram_token, settings.telegram_api, timeout
        )
    if settings.vk_token:
        found[OutboundChannel.VK] = VkSender(settings.vk_token, settings.vk_api, timeout)
    return found


def counters() -> Counters:
    return Counters(
        sent=lambda c: OUTBOX_SENT.labels(channel=c).inc(),
        failed=lambda c: OUTBOX_FAILED.labels(channel=c).inc(),
        dead=lambda c: OUTBOX_DEAD.labels(channel=c).inc(),
        duplicate=lambda c: OUTBOX_DUPLICATES.labels(channel=c).inc(),
    )


@dataclass
class Outbox:
    service: OutboxService
    queries: OutboxQueries
    reactor: OutboxReactor
    delivery: OutboxDelivery
    renderer: Renderer


def build_outbox(
    settings: OutboundSettings,
    appeals: AppealsApplication,
    pool: ConnectionPool,
    clock: Callable[[], datetime],
    timezone: str,
    *,
    rating_link: RatingLink | None = None,
    person_address: Callable[[str], str | None] | None = None,
) -> Outbox:
    service = OutboxService(appeals, clock, appeals)
    queries = OutboxQueries(pool)
    renderer = Renderer(load_municipality(settings.details or DETAILS))
    drafting = Drafting(timezone, rating_link, person_address)
    policy = Policy(
        max_attempts=settings.max_attempts,
        backoff_seconds=settings.backoff_seconds,
        max_backoff_seconds=settings.max_backoff_seconds,
        lease_seconds=settings.lease_seconds,
    )
    delivery = OutboxDelivery(
        service,
        queries,
        senders(settings),
        clock,
        worker=f"{socket.gethostname()}:{os.getpid()}",
        policy=policy,
        interval=settings.interval,
        counters=counters(),
    )
    reactor = OutboxReactor(appeals, service, renderer, drafting)
    return Outbox(service, queries, reactor, delivery, renderer)
