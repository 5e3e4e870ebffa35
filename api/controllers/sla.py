"""Overdue and at-risk deadlines, sliced by department, sector, kind, channel, deadline and
municipality; the SLA policies."""

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.params import Parameter

from api.auth import actor_of, department_scope, roles
from api.controllers.params import BAD_CURSOR, IfMatch, MinPosition, read_your_writes
from api.errors import ApiProblem
from api.schemas import etag, expected_version
from api.services import Services
from domain.shared.actors import STAFF_READERS
from domain.sla.book import EDITORS, PublishPolicy
from domain.sla.policy import SlaPolicy
from projections.sla import SlaFilter, SlaPage

Limit = Annotated[int, Parameter(ge=1, le=500)]
READ_DEADLINES = [roles(STAFF_READERS, "read deadlines")]


def _filter(
    request: Request[Any, Any, Any],
    services: Services,
    department: str | None,
    sector: str | None,
    kind: str | None,
    channel: str | None,
    deadline: str | None,
    municipality: str | None,
) -> SlaFilter:
    return SlaFilter(
        department=department_scope(
            actor_of(request), department, "an executor sees only their own department"
        ),
        sector=sector,
        kind=kind,
        channel=channel,
        deadline=deadline,
        municipality=municipality,
    )


@get("/api/v1/sla/overdue", sync_to_thread=True, tags=["sla"], guards=READ_DEADLINES)
def overdue(
    request: Request[Any, Any, Any],
    services: Services,
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
    where = _filter(request, services, department, sector, kind, channel, deadline, municipality)
    read_your_writes(services, "sla", min_position)
    try:
        return services.sla.overdue(where, now=_now(services), limit=limit, cursor=cursor)
    except ValueError:
        raise ApiProblem(400, "invalid-cursor", "Bad cursor", BAD_CURSOR) from None


@get("/api/v1/sla/at-risk", sync_to_thread=True, tags=["sla"], guards=READ_DEADLINES)
def at_risk(
    request: Request[Any, Any, Any],
    services: Services,
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
    where = _filter(request, services, department, sector, kind, channel, deadline, municipality)
    read_your_writes(services, "sla", min_position)
    share = services.appeals.policy.policy.at_risk_share
    try:
        return services.sla.at_risk(
            where, now=_now(services), share=share, limit=limit, cursor=cursor
        )
    except ValueError:
        raise ApiProblem(400, "invalid-cursor", "Bad cursor", BAD_CURSOR) from None


def _now(services: Services) -> datetime:
    return services.appeals.clock()


class PolicyInForce(msgspec.Struct, frozen=True, kw_only=True):
    in_force: bool  # the policy new deadlines are computed under
    policy: SlaPolicy


# GET and POST share a path: like /api/v1/appeals, these two are async and move their blocking
# work to a thread themselves (Litestar wraps a shared path's sync_to_thread handlers twice).
@get(
    "/api/v1/sla/policies/{policy_id:str}",
    tags=["sla"],
    guards=[roles(STAFF_READERS, "read SLA policies")],
)
async def get_policy(policy_id: str, services: Services) -> Response[PolicyInForce]:
    """The latest version of an SLA policy: its rules (deadline, kinds, channels, topic, anchor,
    amount, unit, roll-over), extension cap, pausable kinds, "at risk" share."""
    return await sync_to_thread(_get_policy, policy_id, services)


def _get_policy(policy_id: str, services: Services) -> Response[PolicyInForce]:
    policy = services.policies.policy(policy_id)
    if policy is None:
        raise ApiProblem(404, "not-found", "Not found", "there is no such SLA policy")
    body = PolicyInForce(in_force=policy_id == services.policy_id, policy=policy)
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
    services: Services,
    if_match: IfMatch = None,
) -> Response[SlaPolicy]:
    """Publish a new version of an SLA policy (curator, head, administrator): recorded as an
    event. When it is the policy in force, new deadlines use it at once and the open deadlines it
    moves are re-timed, each appeal with an event (``X-Otklik-Retimed-Appeals`` says how many);
    met deadlines and closed appeals stay as they were judged."""
    return await sync_to_thread(_publish_policy, request, policy_id, data, services, if_match)


def _publish_policy(
    request: Request[Any, Any, Any],
    policy_id: str,
    data: PublishPolicy,
    services: Services,
    if_match: str | None,
) -> Response[SlaPolicy]:
    policy = services.policies.publish(
        policy_id, data, actor=actor_of(request), expected_version=expected_version(if_match)
    )
    retimed = services.policy_published(policy_id, data.note)
    return Response(
        policy,
        status_code=201,
        headers={"ETag": etag(policy.version), "X-Otklik-Retimed-Appeals": str(retimed)},
    )
