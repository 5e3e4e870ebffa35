"""The tasks the МЦУ's decisions set (set, one route per act, read, lists per unit), polls
imported as feedback and publications on official pages with their reach."""

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any
from uuid import UUID

import structlog
from litestar import Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.handlers import HTTPRouteHandler
from litestar.params import Parameter

from api.auth import actor_of, roles
from api.controllers.params import IfMatch
from api.controllers.sessions import written
from api.schemas.common import etag, expected_version
from api.services import Now
from domain.sessions import feedback, tasks
from domain.sessions.decide import READERS, WRITERS
from domain.sessions.service import SessionsService
from domain.shared.actors import Role
from domain.shared.errors import NotFound
from projections.session_queries import SessionQueries, TaskRow, UnitTasks

log = structlog.get_logger("otklik.api")
Limit = Annotated[int, Parameter(ge=1, le=500)]
TaskStatusFilter = Annotated[
    str | None, Parameter(pattern="^(open|overdue|reported|done)$", required=False)
]
# a unit's executors read and report on their unit's tasks
TASK_READERS = READERS | {Role.EXECUTOR}


@post("/api/v1/tasks", status_code=201, tags=["tasks"], guards=[roles(WRITERS, "set a task")])
async def set_task(
    request: Request[Any, Any, Any], data: tasks.SetTask, sessions: SessionsService
) -> Response[tasks.TaskState]:
    """A task set by an adopted decision: to a unit or a person of the directory, due on a
    working day (a date, or a number of working days from the session)."""
    result = await sync_to_thread(partial(sessions.set_task, data, actor=actor_of(request)))
    log.info("command", command="SetTask", task_id=str(result.state.id))
    return written(result, 201, f"/api/v1/tasks/{result.state.id}")


@get("/api/v1/tasks", tags=["tasks"], guards=[roles(TASK_READERS, "read tasks")])
async def list_tasks(
    request: Request[Any, Any, Any],
    session_queries: SessionQueries,
    clock: Now,
    unit_id: str | None = None,
    session_id: UUID | None = None,
    status: TaskStatusFilter = None,
    limit: Limit = 100,
) -> list[TaskRow]:
    """Tasks, soonest due first: per unit, per session, open, overdue, reported or done (an
    executor sees their unit's)."""
    actor = actor_of(request)
    if actor.role is Role.EXECUTOR:
        unit_id = actor.department
    return await sync_to_thread(
        partial(
            session_queries.tasks,
            clock(),
            unit_id=unit_id,
            session_id=session_id,
            status=status,
            limit=limit,
        )
    )


@get(
    "/api/v1/tasks/by-unit",
    sync_to_thread=True,
    tags=["tasks"],
    guards=[roles(READERS, "read the tasks per unit")],
)
def tasks_by_unit(session_queries: SessionQueries, clock: Now) -> list[UnitTasks]:
    """Open, overdue, done and done-late tasks per unit."""
    return session_queries.by_unit(clock())


@get(
    "/api/v1/tasks/{task_id:uuid}",
    sync_to_thread=True,
    tags=["tasks"],
    guards=[roles(READERS, "read a task")],
)
def get_task(task_id: UUID, sessions: SessionsService) -> Response[tasks.TaskState]:
    state = sessions.task(task_id)
    if state is None:
        raise NotFound("there is no such task")
    return Response(state, headers={"ETag": etag(state.version)})


TASK_ACTIONS: dict[str, type[tasks.TaskCommand]] = {
    "report": tasks.ReportOnTask,
    "accept": tasks.AcceptTask,
    "return": tasks.ReturnTask,
    "extend": tasks.ExtendTask,
}


def _task_route(name: str, request_type: type[tasks.TaskCommand]) -> HTTPRouteHandler:
    def handler(
        request: Request[Any, Any, Any],
        task_id: UUID,
        data: Any,
        sessions: SessionsService,
        if_match: IfMatch = None,
    ) -> Response[tasks.TaskState]:
        result = sessions.act_on_task(
            task_id, data, actor=actor_of(request), expected_version=expected_version(if_match)
        )
        log.info("command", command=request_type.__name__, task_id=str(task_id))
        return written(result, 200)

    handler.__annotations__["data"] = request_type
    handler.__name__ = f"task_{name}"
    allowed = WRITERS | {Role.EXECUTOR} if request_type is tasks.ReportOnTask else WRITERS
    make: Callable[..., HTTPRouteHandler] = post(
        f"/api/v1/tasks/{{task_id:uuid}}/{name}",
        status_code=200,
        sync_to_thread=True,
        tags=["tasks"],
        guards=[roles(allowed, request_type.action)],
    )
    return make(handler)


@post("/api/v1/polls", status_code=201, tags=["polls"], guards=[roles(WRITERS, "import a poll")])
async def import_poll(
    request: Request[Any, Any, Any], data: feedback.ImportPoll, sessions: SessionsService
) -> Response[feedback.PollState]:
    """A poll's results from another platform: questions, options, counts, period, area; its
    id follows from the platform's id (importing it again is refused)."""
    result = await sync_to_thread(partial(sessions.import_poll, data, actor=actor_of(request)))
    return written(result, 201, f"/api/v1/polls/{result.state.id}")


@get("/api/v1/polls", tags=["polls"], guards=[roles(READERS, "read polls")])
async def list_polls(
    session_queries: SessionQueries, hot_topic: str | None = None, limit: Limit = 100
) -> list[dict[str, Any]]:
    """Polls, latest period first (``hot_topic``: those beside a hot topic)."""
    return await sync_to_thread(partial(session_queries.polls, hot_topic=hot_topic, limit=limit))


@get(
    "/api/v1/polls/{poll_id:uuid}",
    sync_to_thread=True,
    tags=["polls"],
    guards=[roles(READERS, "read polls")],
)
def get_poll(poll_id: UUID, sessions: SessionsService) -> feedback.PollState:
    state = sessions.poll(poll_id)
    if state is None:
        raise NotFound("there is no such poll")
    return state


@post(
    "/api/v1/publications",
    status_code=201,
    tags=["publications"],
    guards=[roles(WRITERS, "record a publication")],
)
async def record_publication(
    request: Request[Any, Any, Any], data: feedback.RecordPublication, sessions: SessionsService
) -> Response[feedback.PublicationState]:
    """What was published where: the answer to a hot topic, a refutation, a decision."""
    actor = actor_of(request)
    result = await sync_to_thread(partial(sessions.record_publication, data, actor=actor))
    return written(result, 201, f"/api/v1/publications/{result.state.id}")


@get("/api/v1/publications", tags=["publications"], guards=[roles(READERS, "read publications")])
async def list_publications(
    session_queries: SessionQueries,
    hot_topic: str | None = None,
    claim_id: UUID | None = None,
    session_id: UUID | None = None,
    limit: Limit = 100,
) -> list[dict[str, Any]]:
    """Publications, newest first, with their latest reach and views: of a hot topic, of a
    claim (its refutations, for the misinformation report), of a session."""
    query = partial(
        session_queries.publications,
        hot_topic=hot_topic,
        claim_id=claim_id,
        session_id=session_id,
        limit=limit,
    )
    return await sync_to_thread(query)


@post(
    "/api/v1/publications/{publication_id:uuid}/reach",
    status_code=200,
    sync_to_thread=True,
    tags=["publications"],
    guards=[roles(WRITERS, "import a publication's reach")],
)
def import_reach(
    request: Request[Any, Any, Any],
    publication_id: UUID,
    data: feedback.ImportReach,
    sessions: SessionsService,
    if_match: IfMatch = None,
) -> Response[feedback.PublicationState]:
    """The reach and views measured later (a later measurement replaces an earlier one)."""
    result = sessions.import_reach(
        publication_id, data, actor=actor_of(request), expected_version=expected_version(if_match)
    )
    return written(result, 200)


MCU_TASK_ROUTES = [
    set_task,
    list_tasks,
    tasks_by_unit,
    get_task,
    *(_task_route(name, kind) for name, kind in TASK_ACTIONS.items()),
    import_poll,
    list_polls,
    get_poll,
    record_publication,
    list_publications,
    import_reach,
]
