"""Retention for the information-protection administrator: the appeals whose personal data
expires in a period (next month by default), and legal holds that keep an appeal's data past its
period while a dispute lasts."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, Response, get, post
from litestar.params import Parameter

from api.auth import actor_of, roles
from api.controllers.params import IfMatch
from api.errors import ApiProblem
from api.schemas.common import etag, expected_version
from api.schemas.retention import ExpiringAppeal, HoldRequest, LegalHoldState
from api.services import Now, RetentionPort
from domain.retention.holds import MAY_HOLD, Hold, LiftHold, PlaceHold
from domain.shared.actors import Role
from projections.retention import expiring, next_month

READERS = roles(MAY_HOLD | {Role.AUDITOR}, "read the retention schedule's report and holds")
HOLDERS = roles(MAY_HOLD, "place or lift legal holds")
FromParameter = Annotated[
    date | None, Parameter(query="from", required=False, description="First day (next month's).")
]
ToParameter = Annotated[
    date | None, Parameter(query="to", required=False, description="The day after the last.")
]


EARLIEST, LATEST = date(1900, 1, 1), date(2200, 1, 1)


def _port(retention: RetentionPort | None) -> RetentionPort:
    if retention is None:
        raise ApiProblem(503, "unavailable", "Unavailable", "retention is not running here")
    return retention


def _shown(hold: Hold) -> LegalHoldState:
    return LegalHoldState(
        appeal_id=hold.appeal_id, held=hold.held, ground=hold.ground, since=hold.since
    )


@get("/api/v1/retention/expiring", sync_to_thread=True, tags=["retention"], guards=[READERS])
def list_expiring(
    retention: RetentionPort | None,
    clock: Now,
    from_: FromParameter = None,
    to: ToParameter = None,
) -> list[ExpiringAppeal]:
    """Closed appeals whose personal data expires on a day in [``from``, ``to``) — by default
    next month — with the rule each period rests on and whether a legal hold keeps it. No
    citizen's data: registration numbers, kinds, departments and dates."""
    port = _port(retention)
    schedule = port.schedule()
    start, end = next_month(clock().astimezone(ZoneInfo(port.timezone)).date())
    start, end = from_ or start, to or end
    if end <= start or (end - start).days > 3660 or start < EARLIEST or end > LATEST:
        raise ApiProblem(
            422,
            "invalid-period",
            "Invalid period",
            "`to` must follow `from`, at most ten years apart, both within 1900–2200",
        )
    found = expiring(port.pool, schedule, start, end, port.timezone)
    held = port.holds.held([c.appeal_id for c in found])
    return [
        ExpiringAppeal(
            appeal_id=c.appeal_id,
            registration_number=c.registration_number,
            kind=c.kind.value,
            department=c.department,
            closed_on=c.closed_on,
            expires_on=c.expires_on,
            held=c.appeal_id in held,
            basis=schedule.rule(c.kind).basis,
        )
        for c in found
    ]


@get(
    "/api/v1/retention/holds/{appeal_id:uuid}",
    sync_to_thread=True,
    tags=["retention"],
    guards=[READERS],
)
def get_hold(appeal_id: UUID, retention: RetentionPort | None) -> Response[LegalHoldState]:
    """The appeal's legal hold, its version as the ETag (404: none was ever placed)."""
    hold, version = _port(retention).holds.loaded(appeal_id)
    if hold is None:
        raise ApiProblem(404, "not-found", "Not found", "no legal hold was placed on this appeal")
    return Response(_shown(hold), headers={"ETag": etag(version)})


def _act(
    request: Request[Any, Any, Any],
    retention: RetentionPort | None,
    command: PlaceHold | LiftHold,
    if_match: str | None,
) -> Response[LegalHoldState]:
    holds = _port(retention).holds
    written = holds.handle(command, actor_of(request), expected_version(if_match))
    return Response(_shown(written.state), headers={"ETag": etag(written.version)})


@post(
    "/api/v1/retention/holds/{appeal_id:uuid}/place",
    status_code=200,
    sync_to_thread=True,
    tags=["retention"],
    guards=[HOLDERS],
)
def place_hold(
    request: Request[Any, Any, Any],
    appeal_id: UUID,
    retention: RetentionPort | None,
    data: HoldRequest,
    if_match: IfMatch = None,
) -> Response[LegalHoldState]:
    """Keep the appeal's personal data past its retention period while a dispute lasts (409 if
    held already); ``If-Match`` the hold's version."""
    return _act(request, retention, PlaceHold(appeal_id=appeal_id, ground=data.ground), if_match)


@post(
    "/api/v1/retention/holds/{appeal_id:uuid}/lift",
    status_code=200,
    sync_to_thread=True,
    tags=["retention"],
    guards=[HOLDERS],
)
def lift_hold(
    request: Request[Any, Any, Any],
    appeal_id: UUID,
    retention: RetentionPort | None,
    data: HoldRequest,
    if_match: IfMatch = None,
) -> Response[LegalHoldState]:
    """End the hold (409 if none is in place): the retention reactor erases the data on its next
    round if the period has ended."""
    return _act(request, retention, LiftHold(appeal_id=appeal_id, ground=data.ground), if_match)


RETENTION_ROUTES = (list_expiring, get_hold, place_hold, lift_hold)
