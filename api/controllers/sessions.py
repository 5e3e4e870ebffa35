"""The МЦУ as a body: its composition and groups, sessions (schedule, one route per act, read,
history, execution report). The МЦУ's staff, its head and administrators write; auditors and
analysts read. Tasks, polls and publications: ``api/controllers/mcu_tasks.py``."""

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Annotated, Any
from uuid import UUID

import msgspec
import structlog
from litestar import Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.handlers import HTTPRouteHandler
from litestar.params import Parameter

from api.auth import actor_of, roles
from api.controllers.params import POSITION_HEADER, IfMatch
from api.schemas.common import etag, expected_version
from api.services import Now
from domain.sessions import commands as cmd
from domain.sessions.decide import READERS, WRITERS
from domain.sessions.events import Composition
from domain.sessions.service import SessionsService, payload_of
from domain.sessions.session import SessionState
from domain.shared.errors import NotFound
from domain.shared.handler import Written
from projections.session_queries import ExecutionReport, SessionQueries, SessionRow

log = structlog.get_logger("otklik.api")
Limit = Annotated[int, Parameter(ge=1, le=500)]


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    position: int
    version: int
    type: str
    occurred_at: Any
    recorded_at: Any
    actor: Any
    payload: dict[str, Any]


def written(result: Written[Any], status: int, location: str | None = None) -> Response[Any]:
    headers = {"ETag": etag(result.version), POSITION_HEADER: str(result.position)}
    if location is not None:
        headers["Location"] = location
    return Response(result.state, status_code=status, headers=headers)


# GET and POST /api/v1/sessions/composition share a path: async, their work moved to a thread.
@post(
    "/api/v1/sessions/composition",
    status_code=201,
    tags=["sessions"],
    guards=[roles(WRITERS, "approve the МЦУ's composition")],
)
async def approve_composition(
    request: Request[Any, Any, Any], data: cmd.ApproveComposition, sessions: SessionsService
) -> Response[Any]:
    """Records the composition approved by a protocol (001 §1.2): head, deputy head, secretary,
    members, by the directory's person ids, from its effective date."""
    result = await sync_to_thread(partial(sessions.change_body, data, actor=actor_of(request)))
    return Response(
        {"version": result.version},
        status_code=201,
        headers={"ETag": etag(result.version), POSITION_HEADER: str(result.position)},
    )


@post(
    "/api/v1/sessions/groups",
    status_code=201,
    sync_to_thread=True,
    tags=["sessions"],
    guards=[roles(WRITERS, "record a working or expert group")],
)
def approve_group(
    request: Request[Any, Any, Any], data: cmd.ApproveGroup, sessions: SessionsService
) -> Response[Any]:
    """A working or expert group approved by the head of the МЦУ (§5.1)."""
    result = sessions.change_body(data, actor=actor_of(request))
    return Response(
        {"version": result.version},
        status_code=201,
        headers={"ETag": etag(result.version), POSITION_HEADER: str(result.position)},
    )


@get(
    "/api/v1/sessions/composition",
    tags=["sessions"],
    guards=[roles(READERS, "read the МЦУ's composition")],
)
async def read_composition(
    sessions: SessionsService, clock: Now, on: date | None = None
) -> Composition:
    """The composition in force on ``on`` (default: today)."""
    body = await sync_to_thread(sessions.body)
    found = body.composition_on(on or clock().date())
    if found is None:
        raise NotFound("no composition of the МЦУ is in force on that date")
    return found


@post(
    "/api/v1/sessions",
    status_code=201,
    tags=["sessions"],
    guards=[roles(WRITERS, "schedule a session")],
)
async def schedule_session(
    request: Request[Any, Any, Any], data: cmd.ScheduleSession, sessions: SessionsService
) -> Response[SessionState]:
    """Schedules a session: its date, form (§5.2), agenda; the composition in force then."""
    actor = actor_of(request)
    result = await sync_to_thread(partial(sessions.schedule, data, actor=actor))
    log.info("command", command="ScheduleSession", session_id=str(result.state.id))
    return written(result, 201, f"/api/v1/sessions/{result.state.id}")


@get("/api/v1/sessions", tags=["sessions"], guards=[roles(READERS, "read sessions")])
async def list_sessions(
    session_queries: SessionQueries, since: date | None = None, limit: Limit = 100
) -> list[SessionRow]:
    """Sessions, latest first."""
    return await sync_to_thread(partial(session_queries.sessions, since=since, limit=limit))


@get(
    "/api/v1/sessions/{session_id:uuid}",
    sync_to_thread=True,
    tags=["sessions"],
    guards=[roles(READERS, "read sessions")],
)
def get_session(session_id: UUID, sessions: SessionsService) -> Response[SessionState]:
    state = sessions.session(session_id)
    if state is None:
        raise NotFound("there is no such session")
    return Response(state, headers={"ETag": etag(state.version)})


@get(
    "/api/v1/sessions/{session_id:uuid}/history",
    sync_to_thread=True,
    tags=["sessions", "audit"],
    guards=[roles(READERS, "read a session's history")],
)
def session_history(session_id: UUID, sessions: SessionsService) -> list[HistoryEntry]:
    """Every event of the session in order: position, type, business and recorded times,
    actor, payload (the same log ``otklik audit verify`` checks)."""
    return [
        HistoryEntry(
            position=r.position,
            version=r.event.originator_version,
            type=type(r.event).__name__,
            occurred_at=r.event.occurred_at,
            recorded_at=r.event.timestamp,
            actor=r.event.actor,
            payload=payload_of(r.event),
        )
        for r in sessions.history(session_id)
    ]


@get(
    "/api/v1/sessions/{session_id:uuid}/report",
    sync_to_thread=True,
    tags=["sessions"],
    guards=[roles(READERS, "read a session's execution report")],
)
def execution_report(
    session_id: UUID, sessions: SessionsService, session_queries: SessionQueries, clock: Now
) -> ExecutionReport:
    """How the session's decisions are carried out: its tasks per item, done (on time),
    overdue and open, with the late ones listed."""
    if sessions.session(session_id) is None:
        raise NotFound("there is no such session")
    return session_queries.report(session_id, clock())


ACTIONS: dict[str, type[cmd.SessionCommand]] = {
    "attendance": cmd.RecordAttendance,
    "vote": cmd.CastVote,
    "close-voting": cmd.CloseVoting,
    "draft-protocol": cmd.DraftProtocol,
    "sign-protocol": cmd.SignProtocol,
    "publish-protocol": cmd.PublishProtocol,
}


def _session_route(name: str, request_type: type[cmd.SessionCommand]) -> HTTPRouteHandler:
    def handler(
        request: Request[Any, Any, Any],
        session_id: UUID,
        data: Any,
        sessions: SessionsService,
        if_match: IfMatch = None,
    ) -> Response[SessionState]:
        result = sessions.act(
            session_id, data, actor=actor_of(request), expected_version=expected_version(if_match)
        )
        log.info("command", command=request_type.__name__, session_id=str(session_id))
        return written(result, 200)

    handler.__annotations__["data"] = request_type
    handler.__name__ = f"session_{name.replace('-', '_')}"
    make: Callable[..., HTTPRouteHandler] = post(
        f"/api/v1/sessions/{{session_id:uuid}}/{name}",
        status_code=200,
        sync_to_thread=True,
        tags=["sessions"],
        summary=request_type.__doc__.splitlines()[0] if request_type.__doc__ else None,
        guards=[roles(WRITERS, request_type.action)],
    )
    return make(handler)


SESSION_ROUTES = [
    approve_composition,
    approve_group,
    read_composition,
    schedule_session,
    list_sessions,
    get_session,
    session_history,
    execution_report,
    *(_session_route(name, kind) for name, kind in ACTIONS.items()),
]
