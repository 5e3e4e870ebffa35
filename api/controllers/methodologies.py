"""Rating methodologies as versioned data: list them (public), publish a new version."""

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.concurrency import sync_to_thread

from api.auth import PUBLIC_ROUTE, actor_of, roles
from api.controllers.params import IfMatch
from api.errors import ApiProblem
from api.schemas import etag, expected_version
from api.services import Services
from domain.ratings.methodology import PUBLISHERS, Methodology, PublishMethodology


class NewMethodology(PublishMethodology, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]


# GET and POST share a path: async, their blocking work moved to a thread.
@get("/api/v1/methodologies", tags=["ratings"], opt=PUBLIC_ROUTE)
async def list_methodologies(services: Services) -> list[Methodology]:
    """Public: the latest version of every rating methodology, with the periods it is in force."""
    return await sync_to_thread(services.methodologies.latest)


@post(
    "/api/v1/methodologies",
    status_code=201,
    tags=["ratings"],
    guards=[roles(PUBLISHERS, "publish rating methodologies")],
)
async def publish_methodology(
    request: Request[Any, Any, Any],
    data: NewMethodology,
    services: Services,
    if_match: IfMatch = None,
) -> Response[Methodology]:
    """Publish a new version of a methodology (analyst, curator, head, administrator; ``If-Match``
    the current version). Its rating is built beside the others; nothing reported changes."""
    return await sync_to_thread(_publish, request, data, services, if_match)


def _publish(
    request: Request[Any, Any, Any], data: NewMethodology, services: Services, if_match: str | None
) -> Response[Methodology]:
    fields = {k: v for k, v in msgspec.structs.asdict(data).items() if k != "id"}
    methodology = services.methodologies.publish(
        data.id,
        PublishMethodology(**fields),
        actor=actor_of(request),
        expected_version=expected_version(if_match),
    )
    return Response(
        methodology,
        status_code=201,
        headers={
            "ETag": etag(methodology.version),
            "Location": f"/api/v1/methodologies/{methodology.id}?version={methodology.version}",
        },
    )


@get(
    "/api/v1/methodologies/{methodology_id:str}",
    sync_to_thread=True,
    tags=["ratings"],
    opt=PUBLIC_ROUTE,
)
def get_methodology(
    methodology_id: str, services: Services, version: int | None = None
) -> Response[Methodology]:
    """Public: one methodology (its latest version, or ``version``)."""
    found = services.methodologies.methodology(methodology_id, version)
    if found is None:
        raise ApiProblem(404, "not-found", "Not found", "there is no such methodology")
    return Response(found, headers={"ETag": etag(found.version)})
