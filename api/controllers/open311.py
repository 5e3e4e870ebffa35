"""Open311 GeoReport v2 under /open311/v2 (docs/open311.md): the services (the rubricator in
force), a service's definition, ``POST requests`` (a message on the Open311 channel, through the
one command handler, the api_key a bearer token of an integration's account), and the public
status tracker (``GET requests``, ``GET requests/{id}``). Every route in JSON and in the spec's
XML by its suffix; refusals in the spec's error shape."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from litestar import Litestar, Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter

from api.auth import PUBLIC_ROUTE, Authenticator
from api.open311_docs import OPEN311, content, document
from api.open311_intake import file_request, read_form
from api.open311_views import (
    OPEN311_ERRORS,
    Open311Error,
    answer,
    format_of,
    jurisdiction,
    services,
    split_format,
    tracked,
)
from api.problems_openapi import SUCCESS_CONTENT
from api.schemas.open311 import CreatedRequest, Service, ServiceDefinition, TrackedRequest
from domain.appeals.application import AppealsApplication
from domain.organisation.book import DirectoryBook
from domain.rubricator.book import RubricatorBook
from domain.shared.errors import NotFound
from projections.open311 import Open311Queries, RequestFilter

PREFIX = "/open311/v2"
WINDOW = timedelta(days=90)  # the spec's default span, and the longest one asked for
MAX_PAGE = 1000  # the spec's "first 1000 requests"
# ids one list may name: 50 UUIDs and their commas fit 2,000 characters, and any URL asking for
# them stays well under what the server accepts (a longer one would be a bare 414)
MAX_IDS = 50
_TAGS = ["open311"]


def _opt(cls: type[Any], *, many: bool = True) -> dict[str, Any]:
    return {**PUBLIC_ROUTE, OPEN311: True, SUCCESS_CONTENT: content(cls, many=many)}


def _spec(why: str) -> ResponseSpec:
    return ResponseSpec(data_container=list[Any], description=why, generate_examples=False)


def _both(resource: str) -> list[str]:
    return [f"{PREFIX}/{resource}.json", f"{PREFIX}/{resource}.xml"]


def _today(appeals: AppealsApplication) -> Any:
    return appeals.clock().astimezone(appeals.policy.zone).date()


Jurisdiction = Annotated[str | None, Parameter(query="jurisdiction_id", max_length=100)]


def _jurisdiction(appeals: AppealsApplication, jurisdiction_id: str | None) -> str | None:
    return jurisdiction(appeals.policy, jurisdiction_id)


@get(
    _both("services"),
    tags=_TAGS,
    opt=_opt(Service),
    exception_handlers=OPEN311_ERRORS,
    responses={404: _spec("jurisdiction_id names nothing this endpoint serves.")},
    summary="Open311: the services (the rubricator in force)",
)
async def list_services(
    request: Request[Any, Any, Any],
    rubricator: RubricatorBook,
    appeals: AppealsApplication,
    jurisdiction_id: Jurisdiction = None,
) -> Response[bytes]:
    # async, the work in a thread: Litestar 2.25 wraps a sync handler of several paths twice
    def listed() -> list[Service]:
        _jurisdiction(appeals, jurisdiction_id)
        return services(rubricator.rubricator(), _today(appeals))

    found = await sync_to_thread(listed)
    return answer(format_of(request.url.path), "services", "service", found)


@get(
    f"{PREFIX}/services/{{service:str}}",
    sync_to_thread=True,
    tags=_TAGS,
    opt=_opt(ServiceDefinition, many=False),
    exception_handlers=OPEN311_ERRORS,
    summary="Open311: a service's definition (`M.91.json`, `M.91.xml`)",
)
def service_definition(
    service: str,
    rubricator: RubricatorBook,
    appeals: AppealsApplication,
    jurisdiction_id: Jurisdiction = None,
) -> Response[bytes]:
    code, fmt = split_format(service)
    _jurisdiction(appeals, jurisdiction_id)
    listed = {s.service_code for s in services(rubricator.rubricator(), _today(appeals))}
    if code not in listed:
        raise Open311Error(404, "service_code is not a service of this endpoint")
    definition = ServiceDefinition(service_code=code, attributes=[])
    return answer(fmt, "service_definition", None, [definition])


@post(
    _both("requests"),
    status_code=200,
    tags=_TAGS,
    opt=_opt(CreatedRequest),
    exception_handlers=OPEN311_ERRORS,
    responses={
        403: _spec("The api_key is unknown, revoked, expired, or its role may not file."),
        404: _spec("service_code or jurisdiction_id names nothing this endpoint serves."),
        409: _spec("A concurrent change came first."),
        422: _spec("The Idempotency-Key was used before for another request."),
    },
    summary="Open311: file a service request (form-encoded; api_key)",
)
async def create_request(
    request: Request[Any, Any, Any],
    appeals: AppealsApplication,
    rubricator: RubricatorBook,
    authenticate: Authenticator,
) -> Response[bytes]:
    fmt = format_of(request.url.path)
    form = await read_form(request)
    created = await sync_to_thread(
        file_request, form, request.headers, appeals, rubricator, authenticate
    )
    return answer(fmt, "service_requests", "request", [created])


def _ids(given: str) -> tuple[UUID, ...]:
    parts = [p.strip() for p in given.split(",") if p.strip()]
    if len(parts) > MAX_IDS:
        raise Open311Error(400, f"service_request_id may list at most {MAX_IDS} ids")
    try:
        return tuple(UUID(p) for p in parts)
    except ValueError:
        raise Open311Error(400, "service_request_id must list ids this endpoint returned") from None


def _statuses(given: str | None) -> bool | None:
    asked = {s.strip() for s in (given or "").split(",") if s.strip()}
    if not asked <= {"open", "closed"}:
        raise Open311Error(400, "status must be open, closed or both, comma separated")
    return None if len(asked) != 1 else asked == {"closed"}


def _window(
    start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    if (start is not None and start.tzinfo is None) or (end is not None and end.tzinfo is None):
        raise Open311Error(400, "start_date and end_date must carry a time zone (Z or ±HH:MM)")
    if start is None:
        end = end or now
        return end - WINDOW, end
    end = end or min(start + WINDOW, now)
    if end < start or end - start > WINDOW:
        raise Open311Error(400, "end_date must follow start_date by at most 90 days")
    return start, end


@dataclass(frozen=True)
class Asked:
    """GET requests' filters, as sent."""

    ids: str | None
    codes: str | None
    start: datetime | None
    end: datetime | None
    status: str | None
    page: int
    page_size: int

    def filter(self) -> RequestFilter:
        if self.ids is not None:
            return RequestFilter(ids=_ids(self.ids))
        received_from, received_to = _window(self.start, self.end, datetime.now(UTC))
        return RequestFilter(
            service_codes=tuple(c.strip() for c in (self.codes or "").split(",") if c.strip()),
            received_from=received_from,
            received_to=received_to,
            closed=_statuses(self.status),
        )


@get(
    _both("requests"),
    tags=_TAGS,
    opt=_opt(TrackedRequest),
    exception_handlers=OPEN311_ERRORS,
    responses={404: _spec("jurisdiction_id names nothing this endpoint serves.")},
    summary="Open311: requests filed through Open311 (the public tracker; no personal data)",
)
async def list_requests(
    request: Request[Any, Any, Any],
    appeals: AppealsApplication,
    rubricator: RubricatorBook,
    directory_book: DirectoryBook,
    open311_queries: Open311Queries,
    jurisdiction_id: Jurisdiction = None,
    service_request_id: Annotated[str | None, Parameter(max_length=2000)] = None,
    service_code: Annotated[str | None, Parameter(max_length=100)] = None,
    start_date: datetime | None = None,
    end_date: datetime | None = None,
    status: Annotated[str | None, Parameter(max_length=20)] = None,
    page: Annotated[int, Parameter(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Parameter(ge=1, le=MAX_PAGE)] = MAX_PAGE,
) -> Response[bytes]:
    asked = Asked(service_request_id, service_code, start_date, end_date, status, page, page_size)

    def listed() -> list[TrackedRequest]:
        _jurisdiction(appeals, jurisdiction_id)
        rows = open311_queries.requests(
            asked.filter(), limit=page_size, offset=(page - 1) * page_size
        )
        day, state = _today(appeals), rubricator.rubricator()
        directory = directory_book.directory()
        return [tracked(row, state, directory, day) for row in rows]

    found = await sync_to_thread(listed)
    return answer(format_of(request.url.path), "service_requests", "request", found)


@get(
    f"{PREFIX}/requests/{{service_request:str}}",
    sync_to_thread=True,
    tags=_TAGS,
    opt=_opt(TrackedRequest),
    exception_handlers=OPEN311_ERRORS,
    summary="Open311: one request's status (`{id}.json`, `{id}.xml`; public; no personal data)",
)
def get_request(
    service_request: str,
    appeals: AppealsApplication,
    rubricator: RubricatorBook,
    directory_book: DirectoryBook,
    jurisdiction_id: Jurisdiction = None,
) -> Response[bytes]:
    given, fmt = split_format(service_request)
    _jurisdiction(appeals, jurisdiction_id)
    try:
        state = appeals.state(UUID(given))
    except (ValueError, NotFound):
        raise Open311Error(404, "service_request_id names no request") from None
    day = _today(appeals)
    found = tracked(state, rubricator.rubricator(), directory_book.directory(), day)
    return answer(fmt, "service_requests", "request", [found])


OPEN311_ROUTES = [list_services, service_definition, create_request, list_requests, get_request]


def document_routes(app: Litestar) -> None:
    """Their OpenAPI: success and refusals in JSON and XML, the form body (after
    ``document_problems``)."""
    document(app)
