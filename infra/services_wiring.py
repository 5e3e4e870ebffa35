"""The services the API's routes are given, made from a container: the parts each route may
name, the token cache the serving processes share, the caps on waits for the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from api.services import RetentionPort, Services
from api.webhooks.common import WebhookSecrets
from infra import db_bounds
from infra.calendar_clock import utc_now
from infra.db_waits import under_cap
from infra.eventstore import OtklikRecorder
from infra.intake.service import IntakeImporter
from infra.token_cache import SharedGeneration, TokenCache

if TYPE_CHECKING:
    from infra.container import Container

READY_WITHIN = 1.5  # seconds /health/ready waits on the database at most, per wait


def services_of(container: Container) -> Services:
    # the engine reads through the background pool: a request waits on it no longer than here
    cap = db_bounds.request_limits(container.settings).longest_wait
    cache = container.token_cache
    if cache is None:
        shared = SharedGeneration(container.settings.data_dir / "access.generation")
        cache = TokenCache(container.tokens.lookup, container.info.conninfo, utc_now, shared)
        container.token_cache = cache
        container.tokens.on_change = cache.changed  # seen by this machine's processes at once
        recorder = container.appeals.recorder
        if isinstance(recorder, OtklikRecorder):
            recorder.on_access_change = cache.changed
    return Services(
        appeals=container.appeals,
        queries=container.queries,
        authenticate=cache.authenticate,
        cached_actor=cache.cached,
        readiness=under_cap(READY_WITHIN, container.readiness),
        projection_status=under_cap(cap, container.engine.status),
        failed_builds=under_cap(cap, container.engine.failed),
        wait_for_view=under_cap(cap, container.engine.wait_for),
        calendar=container.calendar,
        sla=container.sla,
        sla_clock_changed=container.sla_clock.refresh,
        policies=container.policies,
        policy_id=container.settings.sla_policy,
        audit=container.audit,
        personal_data_reads=container.personal_data_reads,
        audit_ledger=container.audit_ledger,
        claims=container.claims,
        claim_queries=container.claim_queries,
        methodologies=container.methodologies,
        rubricator=container.rubricator,
        ratings=container.ratings,
        reports=container.reports,
        access=container.access,
        access_queries=container.access_queries,
        directory=container.directory,
        attachments=container.attachments,
        imports=IntakeImporter(container.appeals, utc_now, container.settings.import_max_bytes),
        pool_stats=lambda: {
            "requests": container.pool.get_stats(),
            "background": container.background_pool.get_stats(),
        },
        rating_links=container.rating_links,
        outbox=container.outbox.service,  # issue 17
        privacy=container.privacy,  # issue 18
        retention=RetentionPort(
            holds=container.retention.holds,
            schedule=container.retention.schedule,
            pool=container.pool,
            timezone=container.settings.timezone,
        )
        if container.retention is not None
        else None,
        outbox_queries=container.outbox.queries,
        sessions=container.mcu.service if container.mcu else None,  # issue 20
        session_queries=container.mcu.queries if container.mcu else None,
        redacted_copies=container.redaction.copies() if container.redaction else None,  # issue 18
        webhooks=WebhookSecrets(
            telegram=container.settings.telegram_secret,
            vk=container.settings.vk_secret,
            vk_confirmation=container.settings.vk_confirmation,
        ),
    )
