"""Overdue and at-risk deadlines, sliced by department, sector, kind, channel, deadline and
municipality; the SLA policies."""

from collections.abc import Callable
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.params import Parameter

from api.auth import actor_of, department_scope, roles
from api.controllers.params import BAD_CURSOR, POSITION_HEADER, IfMatch, MinPosition, ReadYourWrites
from api.errors import ApiProblem
from api.schemas.common import etag, expected_version, mirror
from api.schemas.sla import PolicyInForce, PublishPolicy, SlaPolicy
from api.services import Now
from domain.organisation.book import DirectoryBook
from domain.organisation.lookup import recorded_as
from domain.shared.actors import STAFF_READERS
from domain.sla import book
from domain.sla.book import EDITORS
from domain.sla.books import PolicyBook
from domain.sla.clock import SlaClock
from projections.sla import SlaFilter, SlaPage, SlaQueries

Limit = Annotated[int, Parameter(ge=1, le=500)]
READ_DEADLINES = [roles(STAFF_READERS, "read deadlines")]


def _filter(
    request: Request[Any, Any, Any],
    directory_book: DirectoryBook,
    department: str | None,
    sector: str | None,
    kind: str | None,
    channel: str | None,
    deadline: str | None,
    municipality: str | None,
) -> SlaFilter:
    scope = department_scope(
        actor_of(request), department, "an executor sees only their own department"
    )
    return SlaFilter(
        department=scope,
        department_names=recorded_as(directory_book.directory(), scope) if scope else (),
        sector=sector,
        kind=kind,
        channel=channel,
        deadline=deadline,
        municipality=municipality,
    )


@get("/api/v1/sla/overdue", sync_to_thread=True, tags=["sla"], guards=READ_DEADLINES)
def overdue(
    request: Request[Any, Any, Any],
    sla_queries: SlaQueries,
    read_your_writes: ReadYourWrites,
    clock: Now,
    directory_book: DirectoryBook,
    department: str | None = None,
    sector: str | None = None,
    kind: str | None = None,
    channel: str | None = None,
    deadline: str | None = None,
    municipality: str | None = None,
    limit: Limit = 100,
    cursor: str | None = None,
    min_position: MinPosition = None,
) -> SlaPage:
    """Open deadlines past due and unmet, the longest overdue first (keyset ``cursor``)."""
    where = _filter(
        request, directory_book, department, sector, kind, channel, deadline, municipality
    )
    read_your_writes("sla", min_position)
    try:
        return sla_queries.overdue(where, now=clock(), limit=limit, cursor=cursor)
    except ValueError:
        raise ApiProblem(400, "invalid-cursor", "Bad cursor", BAD_CURSOR) from None


@get("/api/v1/sla/at-risk", sync_to_thread=True, tags=["sla"], guards=READ_DEADLINES)
def at_risk(
    request: Request[Any, Any, Any],
    sla_queries: SlaQueries,
    read_your_writes: ReadYourWrites,
    clock: Now,
    sla_clock: SlaClock,
    directory_book: DirectoryBook,
    department: str | None = None,
    sector: str | None = None,
    kind: str | None = None,
    channel: str | None = None,
    deadline: str | None = None,
    municipality: str | None = None,
    limit: Limit = 100,
    cursor: str | None = None,
    min_position: MinPosition = None,
) -> SlaPage:
    """Open deadlines not yet due with less than the policy's share of their time left (20 %),
    the soonest first."""
    where = _filter(
        request, directory_book, department, sector, kind, channel, deadline, municipality
    )
    read_your_writes("sla", min_position)
    share = sla_clock.policy.at_risk_share
    try:
        return sla_queries.at_risk(where, now=clock(), share=share, limit=limit, cursor=cursor)
    except ValueError:
        raise ApiProblem(400, "invalid-cursor", "Bad cursor", BAD_CURSOR) from None


# GET and POST share a path: like /api/v1/appeals, these two are async and move their blocking
# work to a thread themselves (Litestar wraps a shared path's sync_to_thread handlers twice).
@get(
    "/api/v1/sla/policies/{policy_id:str}",
    tags=["sla"],
    guards=[roles(STAFF_READERS, "read SLA policies")],
)
async def get_policy(
    policy_id: str, policy_book: PolicyBook, policy_in_force: str
) -> Response[PolicyInForce]:
    """The latest version of an SLA policy: its rules (deadline, kinds, channels, topic, anchor,
    amount, unit, roll-over), extension cap, pausable kinds, "at risk" share."""
    policy = await sync_to_thread(policy_book.policy, policy_id)
    if policy is None:
        raise ApiProblem(404, "not-found", "Not found", "there is no such SLA policy")
    body = PolicyInForce(in_force=policy_id == policy_in_force, policy=mirror(policy, SlaPolicy))
    return Response(body, headers={"ETag": etag(policy.version)})


@post(
    "/api/v1/sla/policies/{policy_id:str}",
    status_code=201,
    tags=["sla"],
    guards=[roles(EDITORS, "publish SLA policies")],
)
async def publish_policy(
    request: Request[Any, Any, Any],
    policy_id: Annotated[str, Parameter(pattern=r"^[a-z0-9][a-z0-9_-]{1,62}$")],
    data: PublishPolicy,
    policy_book: PolicyBook,
    sla_clock_changed: Callable[[], None],
    if_match: IfMatch = None,
) -> Response[SlaPolicy]:
    """Publish a new version of an SLA policy (curator, head, administrator): recorded as an
    event. A term longer than the law allows (59-ФЗ ст.8 ч.2–3, ст.12 ч.1–2; the configured
    ceilings of the other kinds) is refused with a 422 naming the article. The version applies to
    appeals received from its ``effective_from`` (default: now; not in the past) and leaves
    running deadlines alone. A **correction** (``correction: true`` with its ``reason``) of the
    policy in force also re-times the open deadlines it moves, by the re-timer (a reactor), each
    appeal with an event, later only unless ``may_shorten``; met deadlines and closed appeals stay
    as they were judged. ``X-Otklik-Position`` names the publication's log position: the
    re-timer's position passes it once done."""

    def publish() -> Response[SlaPolicy]:
        written = policy_book.record_publication(
            policy_id,
            mirror(data, book.PublishPolicy),
            actor=actor_of(request),
            expected_version=expected_version(if_match),
        )
        sla_clock_changed()
        policy = written.state
        return Response(
            mirror(policy, SlaPolicy),
            status_code=201,
            headers={"ETag": etag(policy.version), POSITION_HEADER: str(written.position)},
        )

    return await sync_to_thread(publish)
