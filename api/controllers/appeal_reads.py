"""Appeals read: current state, as-of, history, deadlines, the citizen's contact, the list. The
free texts they show are the redacted copies (issue 18); the originals: ``appeal_texts``."""

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
import structlog
from litestar import Request, Response, get
from litestar.concurrency import sync_to_thread
from litestar.params import Parameter

from api.auth import actor_of, department_scope, require_department, roles
from api.controllers.params import BAD_CURSOR, MinPosition, ReadYourWrites
from api.errors import ApiProblem
from api.redacted_reads import RedactedCopies
from api.schemas.appeals import (
    AppealHistory,
    AppealList,
    AppealSla,
    AppealState,
    AsOfState,
    CitizenContact,
    HistoryStep,
)
from api.schemas.common import etag, mirror, require_offset
from api.schemas.deadlines import DeadlineView
from domain.appeals.application import AppealsApplication
from domain.appeals.events import (
    APPEAL_EVENT_TYPES,
    AppealEvent,
    AppealReceived,
)
from domain.appeals.events import CitizenContact as RecordedContact
from domain.appeals.state import AppealState as State
from domain.appeals.state import fold
from domain.audit.access import AuditTrail
from domain.audit.history import replay
from domain.organisation.book import DirectoryBook
from domain.organisation.lookup import recorded_as
from domain.ratings.methodology_book import MethodologyBook
from domain.shared.actors import HISTORY_READERS, PERSONAL_DATA_READERS, STAFF_READERS, Role
from domain.shared.errors import NotFound
from domain.shared.handler import RecordedEvent
from domain.sla.status import deadlines
from projections.appeals import AppealFilter, AppealQueries

log = structlog.get_logger("otklik.api")
APPEAL_EVENT_NAMES = frozenset(cls.__name__ for cls in APPEAL_EVENT_TYPES)


def _folded(events: Iterable[AppealEvent]) -> State:
    """The state of the appeal whose events a route has read already (not read again)."""
    state = fold(events)
    assert state is not None  # the route answered 404 to an appeal with no events
    return state


@get(
    "/api/v1/appeals/{appeal_id:uuid}",
    sync_to_thread=True,
    tags=["appeals"],
    guards=[roles(STAFF_READERS, "read appeals")],
)
def get_appeal(
    request: Request[Any, Any, Any],
    appeal_id: UUID,
    appeals: AppealsApplication,
    redacted_copies: RedactedCopies,
    as_of: Annotated[datetime | None, Parameter(query="as_of", required=False)] = None,
) -> Response[AppealState] | Response[AsOfState]:
    """The appeal's current state, or with ``as_of`` its state at that moment: folded from its
    events, so it is always current (no read-model lag) and agrees with the history. A department
    executor reads an appeal, at any moment of its past, while it is their department's now.
    ``text`` and ``answer_text`` are the redacted copies (names, addresses, phones, e-mails
    masked); the originals are personal data: ``GET /api/v1/appeals/{id}/texts``."""
    actor = actor_of(request)
    recorded = redacted_copies.recorded(appeal_id, appeals.history(appeal_id))
    state = _folded(r.event for r in recorded)
    require_department(actor, appeals.department_of(state))
    if as_of is not None:
        require_offset("as_of", as_of)
        return _as_of(recorded, as_of)
    return Response(mirror(state, AppealState), headers={"ETag": etag(state.version)})


def _as_of(recorded: list[RecordedEvent[AppealEvent]], as_of: datetime) -> Response[AsOfState]:
    """The state folded from the events recorded up to ``as_of`` (as ``AppealsApplication.as_of``
    does, here from the redacted events already read)."""
    known = [r for r in recorded if r.event.timestamp <= as_of]
    if not known:
        raise NotFound("the appeal had not been received by the time asked for (as_of)")
    state, last = _folded(r.event for r in known), known[-1]
    body = AsOfState(
        as_of=as_of,
        last_event_version=state.version,
        last_event_type=type(last.event).__name__,
        last_event_position=last.position,
        last_event_recorded_at=last.event.timestamp,
        state=mirror(state, AppealState),
    )
    return Response(body, headers={"ETag": etag(state.version)})


def _event_types(type_: str | None) -> set[str] | None:
    """The event types ``type`` names (comma-separated); None: every type."""
    types = {t.strip() for t in type_.split(",") if t.strip()} if type_ else None
    if types is not None and types - APPEAL_EVENT_NAMES:
        raise ApiProblem(
            400,
            "invalid-type",
            "Unknown event type",
            "`type` names an event the appeals do not have; they have: "
            + ", ".join(sorted(APPEAL_EVENT_NAMES)),
        )
    return types


@get(
    "/api/v1/appeals/{appeal_id:uuid}/history",
    sync_to_thread=True,
    tags=["appeals", "audit"],
    guards=[roles(HISTORY_READERS, "read appeal histories")],
)
def get_history(
    request: Request[Any, Any, Any],
    appeal_id: UUID,
    appeals: AppealsApplication,
    methodologies: MethodologyBook,
    redacted_copies: RedactedCopies,
    type_: Annotated[str | None, Parameter(query="type", required=False)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> AppealHistory:
    """Every event of the appeal in order: stream version, log position, type, business and
    recorded time, actor and role, payload (the citizen's contact details redacted), the change
    it made to the appeal's state, and the deadline policy, calendar and time zone in force.
    ``type`` (comma-separated event types) and ``since``/``until`` (business time) filter the
    steps. Auditors and the head see every appeal's history; a department executor, their
    department's appeals'. Free texts are their redacted copies, as in the appeal's state."""
    actor = actor_of(request)
    require_offset("since", since)
    require_offset("until", until)
    types = _event_types(type_)
    recorded = redacted_copies.recorded(appeal_id, appeals.history(appeal_id))
    if actor.role is Role.EXECUTOR:
        require_department(actor, appeals.department_of(_folded(r.event for r in recorded)))

    def methodology_for(month: str) -> str | None:
        found = methodologies.in_force(month)
        return found.label if found is not None else None

    steps = replay(
        [(r.position, r.event) for r in recorded],
        types=types,
        since=since,
        until=until,
        methodology_for=methodology_for,
    )
    return AppealHistory(
        appeal_id=appeal_id, version=len(recorded), events=mirror(steps, list[HistoryStep])
    )


@get(
    "/api/v1/appeals/{appeal_id:uuid}/sla",
    sync_to_thread=True,
    tags=["appeals", "sla"],
    guards=[roles(STAFF_READERS, "read appeals' deadlines")],
)
def get_sla(
    request: Request[Any, Any, Any], appeal_id: UUID, appeals: AppealsApplication
) -> AppealSla:
    """Every deadline of the appeal: due, status (on_track, at_risk, met, missed, overdue), time
    left in its own unit, the history of its changes, and its provenance (policy and calendar
    versions, anchor event, rule, the steps of the computation). Read from the events alone."""
    events = appeals.events_of(appeal_id)
    if not events:
        raise ApiProblem(404, "not-found", "Not found", "there is no such appeal")
    state = _folded(events)
    require_department(actor_of(request), appeals.department_of(state))
    clock = appeals.policy.in_zone(state.timezone)
    now = appeals.clock()
    views = deadlines(
        events,
        now=now,
        calendar=clock.calendar,
        timezone=clock.timezone,
        at_risk_share=clock.policy.at_risk_share,
    )
    return AppealSla(
        appeal_id=appeal_id,
        version=state.version,
        as_of=now,
        municipality=state.municipality,
        timezone=clock.timezone,
        deadlines=mirror(views, list[DeadlineView]),
    )


@get(
    "/api/v1/appeals/{appeal_id:uuid}/citizen",
    sync_to_thread=True,
    tags=["appeals"],
    guards=[roles(PERSONAL_DATA_READERS, "read citizens' personal data")],
)
def get_citizen(
    request: Request[Any, Any, Any],
    appeal_id: UUID,
    appeals: AppealsApplication,
    audit_trail: AuditTrail,
) -> CitizenContact:
    """The citizen's contact details (personal data, 152-ФЗ): only for roles that answer."""
    actor = actor_of(request)
    events = appeals.events_of(appeal_id)
    if not events:
        raise ApiProblem(404, "not-found", "Not found", "there is no such appeal")
    if actor.role is Role.EXECUTOR:
        require_department(actor, appeals.department_of(_folded(events)))
    received = events[0]
    assert isinstance(received, AppealReceived)
    contact = received.citizen or RecordedContact()
    served = tuple(k for k, v in msgspec.structs.asdict(contact).items() if v is not None)
    # Recorded before it is served: a reading that cannot be recorded is not served.
    audit_trail.personal_data_read(
        appeal_id, actor=actor, route="GET /api/v1/appeals/{id}/citizen", fields=served
    )
    log.info("personal_data.read", appeal_id=str(appeal_id), actor_id=actor.id, role=actor.role)
    return mirror(contact, CitizenContact)


# GET and POST /api/v1/appeals share a path: Litestar registers a shared path's handlers again
# for each sibling, which wraps a sync_to_thread handler twice; so these two are async and move
# their blocking work to a thread themselves.
def _recorded_as(directory_book: DirectoryBook, department: str | None) -> tuple[str, ...]:
    return recorded_as(directory_book.directory(), department) if department else ()


@get("/api/v1/appeals", tags=["appeals"], guards=[roles(STAFF_READERS, "list appeals")])
async def list_appeals(
    request: Request[Any, Any, Any],
    appeal_queries: AppealQueries,
    read_your_writes: ReadYourWrites,
    directory_book: DirectoryBook,
    status: str | None = None,
    kind: str | None = None,
    channel: str | None = None,
    department: str | None = None,
    topic: str | None = None,
    received_from: datetime | None = None,
    received_to: datetime | None = None,
    limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
    cursor: str | None = None,
    min_position: MinPosition = None,
) -> AppealList:
    """Appeals newest first, filtered, keyset-paginated with ``cursor``; ``position`` is the
    log position the view had reached."""
    require_offset("received_from", received_from)
    require_offset("received_to", received_to)
    scope = department_scope(
        actor_of(request),
        department,
        "a department executor sees only their own department's appeals",
    )
    where = AppealFilter(
        status=status,
        kind=kind,
        channel=channel,
        department=scope,
        # an appeal assigned before the directory carries a name of the unit (a read of the
        # directory, cached: in a thread as every blocking read here)
        department_names=await sync_to_thread(_recorded_as, directory_book, scope),
        topic=topic,
        received_from=received_from,
        received_to=received_to,
    )
    return await sync_to_thread(
        _list, appeal_queries, read_your_writes, where, limit, cursor, min_position
    )


def _list(
    appeal_queries: AppealQueries,
    read_your_writes: ReadYourWrites,
    where: AppealFilter,
    limit: int,
    cursor: str | None,
    min_position: int | None,
) -> AppealList:
    read_your_writes("appeals", min_position)
    try:
        page = appeal_queries.list(where, limit=limit, cursor=cursor)
    except ValueError:
        raise ApiProblem(400, "invalid-cursor", "Bad cursor", BAD_CURSOR) from None
    return AppealList(items=page.items, next_cursor=page.next_cursor, position=page.position)
