"""Overdue and at-risk deadlines, sliced by department, sector, kind, channel and deadline."""

from datetime import datetime
from typing import Annotated, Any

from litestar import Request, get
from litestar.params import Parameter

from api.auth import authenticated, require_role
from api.controllers.appeals import READ_WAIT_SECONDS, MinPosition
from api.errors import ApiProblem
from api.services import Services
from domain.shared.actors import STAFF_READERS, Role
from projections.sla import SlaFilter, SlaPage

Limit = Annotated[int, Parameter(ge=1, le=500)]


def _filter(
    request: Request[Any, Any, Any],
    services: Services,
    department: str | None,
    sector: str | None,
    kind: str | None,
    channel: str | None,
    deadline: str | None,
) -> SlaFilter:
    actor = authenticated(request, services.authenticate)
    require_role(actor, STAFF_READERS, "read deadlines")
    if actor.role is Role.EXECUTOR:
        if department not in (None, actor.department):
            raise ApiProblem(
                403, "forbidden", "Forbidden", "an executor sees only their own department"
            )
        department = actor.department
    return SlaFilter(
        department=department, sector=sector, kind=kind, channel=channel, deadline=deadline
    )


@get("/api/v1/sla/overdue", sync_to_thread=True, tags=["sla"])
def overdue(
    request: Request[Any, Any, Any],
    services: Services,
    department: str | None = None,
    sector: str | None = None,
    kind: str | None = None,
    channel: str | None = None,
    deadline: str | None = None,
    limit: Limit = 100,
    cursor: str | None = None,
    min_position: MinPosition = None,
) -> SlaPage:
    """Open deadlines past due and unmet, the longest overdue first (keyset ``cursor``)."""
    where = _filter(request, services, department, sector, kind, channel, deadline)
    if min_position is not None:
        services.wait_for_view("sla", min_position, READ_WAIT_SECONDS)
    try:
        return services.sla.overdue(where, now=_now(services), limit=limit, cursor=cursor)
    except ValueError as error:
        raise ApiProblem(400, "invalid-cursor", "Bad cursor", str(error)) from None


@get("/api/v1/sla/at-risk", sync_to_thread=True, tags=["sla"])
def at_risk(
    request: Request[Any, Any, Any],
    services: Services,
    department: str | None = None,
    sector: str | None = None,
    kind: str | None = None,
    channel: str | None = None,
    deadline: str | None = None,
    limit: Limit = 100,
    cursor: str | None = None,
    min_position: MinPosition = None,
) -> SlaPage:
    """Open deadlines not yet due with less than the policy's share of their time left (20 %),
    the soonest first."""
    where = _filter(request, services, department, sector, kind, channel, deadline)
    if min_position is not None:
        services.wait_for_view("sla", min_position, READ_WAIT_SECONDS)
    share = services.appeals.policy.policy.at_risk_share
    try:
        return services.sla.at_risk(
            where, now=_now(services), share=share, limit=limit, cursor=cursor
        )
    except ValueError as error:
        raise ApiProblem(400, "invalid-cursor", "Bad cursor", str(error)) from None


def _now(services: Services) -> datetime:
    return services.appeals.clock()
