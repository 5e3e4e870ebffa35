"""The Litestar application factory: routes, dependency injection, problem responses, OpenAPI,
and per-request logging with a request id."""

from __future__ import annotations

import re
import time
import uuid
from uuid import UUID

import structlog
from litestar import Litestar
from litestar.datastructures import MutableScopeHeaders
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api import written
from api.auth import OPENAPI_PATH, token_authentication
from api.closed_schemas import ClosedStructSchemaPlugin
from api.controllers import (
    accounts,
    appeal_reads,
    appeal_texts,
    appeals,
    attachments,
    audit,
    calendar,
    claims,
    directory,
    health,
    imports,
    mcu_audit,
    mcu_tasks,
    methodologies,
    open311,
    outbox,
    privacy,
    projections,
    rating_page,
    ratings,
    reports,
    retention,
    rubricator,
    sessions,
    sla,
    text_search,
    tokens,
    webhooks,
)
from api.controllers.params import ReadYourWrites
from api.errors import EXCEPTION_HANDLERS
from api.metrics import (
    PROMETHEUS,
    OtklikCollector,
    count_command,
    metrics,
    register_collector,
)
from api.outage import OUTAGE_HANDLERS
from api.problems_openapi import document_problems
from api.redacted_reads import RedactedCopies
from api.redaction import route_path
from api.request_guard import request_guard
from api.services import Services
from domain.redaction.events import TextRedacted
from projections.open311 import Open311Queries
from projections.outbox import OutboxQueries
from projections.redacted_texts import RedactedTextQueries
from projections.session_queries import SessionQueries

log = structlog.get_logger("otklik.api")

# A caller's request id is repeated in every log line: only an id's shape (hex and hyphens, a
# letter among them, no run of seven digits: a phone number is not an id) is kept.
_REQUEST_ID = re.compile(r"(?=.*[a-fA-F])(?!.*[0-9]{7})[0-9a-fA-F-]{8,64}")


def request_logging(app: ASGIApp) -> ASGIApp:
    """Binds a request id (the caller's X-Request-ID or a new one) to every log line of the request,
    returns it in the response, and logs one line per request: the route's template (never the
    path sent, whose parameters may be anything, nor the query string) and the status; no bodies.
    A command (a POST under /api) is counted by the status it answered."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        written.begin()  # what this request commits, for an error after the commit to name
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await app(scope, receive, send_wrapper)
        finally:
            count_command(scope, status)
            log.info(
                "request",
                method=scope.get("method"),
                path=route_path(scope),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )

    return middleware


# Every route: the private ones each with its role guard (``api.auth.roles``).
ROUTE_HANDLERS = [
    metrics,
    health.live,
    health.ready,
    appeals.receive_appeal,
    *appeals.LIFECYCLE_ROUTES,
    calendar.get_year,
    calendar.list_municipalities,
    sla.overdue,
    sla.at_risk,
    sla.get_policy,
    sla.publish_policy,
    calendar.correct_day,
    appeal_reads.get_appeal,
    appeal_reads.get_history,
    appeal_reads.get_sla,
    appeal_reads.get_citizen,
    appeal_texts.get_original_texts,  # issue 18: the originals, an audited read
    text_search.search_texts,  # issue 18: analysts search the redacted copies
    appeal_reads.list_appeals,
    projections.list_projections,
    audit.personal_data_reads,
    audit.ledger,
    claims.detect_claim,
    claims.list_claims,
    *claims.CLAIM_ROUTES,
    claims.get_claim,
    claims.match_claims,
    claims.misinformation_summary,
    claims.get_claim_review,
    claims.list_claim_reviews,
    methodologies.list_methodologies,
    methodologies.publish_methodology,
    methodologies.get_methodology,
    rubricator.get_rubricator,
    rubricator.get_rubric,
    rubricator.publish_changes,
    ratings.ratings,
    ratings.compare,
    reports.kpi_report,
    reports.summary_report,
    reports.hot_topics_report,
    reports.workload_report,
    *accounts.ACCOUNT_ROUTES,
    *tokens.TOKEN_ROUTES,
    directory.read_directory,
    directory.read_unit,
    directory.read_person,
    directory.change_directory,
    *webhooks.WEBHOOK_ROUTES,
    attachments.add_attachment,  # issue 16
    attachments.list_attachments,
    attachments.get_attachment,
    *open311.OPEN311_ROUTES,
    imports.import_export,  # issue 16: bulk imports
    *rating_page.RATING_PAGE_ROUTES,  # issue 17: the citizen rates the answer (public)
    *outbox.OUTBOX_ROUTES,  # issue 17: outgoing messages
    *privacy.PRIVACY_ROUTES,  # issue 18: erasure of personal data
    *retention.RETENTION_ROUTES,  # issue 18: what expires next, legal holds
    *sessions.SESSION_ROUTES,  # issue 20: the МЦУ as a body
    *mcu_tasks.MCU_TASK_ROUTES,  # issue 20: tasks, polls, publications
    *mcu_audit.MCU_AUDIT_ROUTES,  # issue 20: a session's and a task's streams audited
]


def list_none(_appeal_id: UUID) -> list[TextRedacted]:
    return []


def withhold(_text: str) -> str:
    return "[ТЕКСТ СКРЫТ]"


def _value(value: object) -> Provide:
    return Provide(lambda: value, use_cache=True, sync_to_thread=False)


def dependencies(services: Services) -> dict[str, Provide]:
    """What the routes may name as parameters: each the narrow part it needs of ``services``."""
    appeals = services.appeals
    read_your_writes = ReadYourWrites(
        log_head=lambda: appeals.recorder.max_notification_id() or 0,
        wait_for_view=services.wait_for_view,
    )
    parts: dict[str, object] = {
        "appeals": appeals,
        "appeal_queries": services.queries,
        "clock": appeals.clock,
        "read_your_writes": read_your_writes,
        "calendar_book": services.calendar,
        "sla_clock_changed": services.sla_clock_changed,
        "policy_book": services.policies,
        "policy_in_force": services.policy_id,
        "sla_queries": services.sla,
        "audit_trail": services.audit,
        "personal_data_read_queries": services.personal_data_reads,
        "audit_ledger": services.audit_ledger,
        "claims": services.claims,
        "claim_queries": services.claim_queries,
        "methodologies": services.methodologies,
        "rubricator": services.rubricator,
        "rating_queries": services.ratings,
        "reports": services.reports,
        "directory_book": services.directory,
        "readiness": services.readiness,
        "failed_builds": services.failed_builds,
        "projection_status": services.projection_status,
        "access": services.access,
        "access_queries": services.access_queries,
        "webhook_secrets": services.webhooks,
        "attachments": services.attachments,
        "imports": services.imports,
        "authenticate": services.authenticate,  # Open311's api_key: a bearer token's secret
        "open311_queries": Open311Queries(services.queries.pool),
        "rating_links": services.rating_links,  # issue 17 (None: links are off)
        "outbox": services.outbox,  # issue 17
        "privacy": services.privacy,  # issue 18
        "retention": services.retention,
        "outbox_queries": services.outbox_queries or OutboxQueries(services.queries.pool),
        "sessions": services.sessions,  # issue 20
        "session_queries": services.session_queries or SessionQueries(services.queries.pool),
        # issue 18: no masker wired, no free text shown (never the original)
        "redacted_copies": services.redacted_copies or RedactedCopies(list_none, withhold),
        "redacted_text_queries": RedactedTextQueries(services.queries.pool),
    }
    provided = {name: _value(part) for name, part in parts.items()}
    # the SLA clock in force is read at each request: a new policy version changes it
    provided["sla_clock"] = Provide(lambda: appeals.policy, sync_to_thread=False)
    return provided


def create_app(services: Services, *, debug: bool = False) -> Litestar:
    register_collector(OtklikCollector(services.projection_status, services.pool_stats))
    app = Litestar(
        route_handlers=ROUTE_HANDLERS,
        dependencies=dependencies(services),
        exception_handlers={**EXCEPTION_HANDLERS, **OUTAGE_HANDLERS},
        middleware=[
            request_logging,
            PROMETHEUS.middleware,
            # 401 before anything is read
            token_authentication(services.authenticate, services.cached_actor),
            request_guard,  # then the body's depth, encoding and size, before it is parsed
        ],
        openapi_config=OpenAPIConfig(
            title="Otklik",
            version="1",
            description=(
                "Back end of a municipal control centre (МЦУ): appeals, deadlines, ratings, "
                "misinformation response and audit. Errors are RFC 9457 problem documents."
            ),
            path=OPENAPI_PATH,
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
        plugins=[ClosedStructSchemaPlugin()],  # additionalProperties: false where it is so
        logging_config=None,
        debug=debug,
    )
    document_problems(app)  # every route's problem responses, in the OpenAPI
    open311.document_routes(app)  # theirs in the spec's shapes, JSON and XML
    return app
