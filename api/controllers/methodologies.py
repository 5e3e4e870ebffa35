"""Rating methodologies as versioned data: list them (public), publish a new version."""

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.concurrency import sync_to_thread

from api.auth import PUBLIC_ROUTE, actor_of, roles
from api.controllers.params import IfMatch
from api.errors import ApiProblem
from api.schemas.common import etag, expected_version, mirror
from api.schemas.methodologies import Methodology, NewMethodology
from domain.ratings.methodology import PUBLISHERS, PublishMethodology
from domain.ratings.methodology_book import MethodologyBook


def to_command(data: NewMethodology) -> PublishMethodology:
    """The publication, without the id the body names it by (the route's argument)."""
    fields = {k: v for k, v in msgspec.structs.asdict(data).items() if k != "id"}
    return mirror(fields, PublishMethodology)


# GET and POST share a path: async, their blocking work moved to a thread.
@get("/api/v1/methodologies", tags=["ratings"], opt=PUBLIC_ROUTE)
async def list_methodologies(methodologies: MethodologyBook) -> list[Methodology]:
    """Public: the latest version of every rating methodology, with the periods it is in force."""
    return mirror(await sync_to_thread(methodologies.latest), list[Methodology])


@post(
    "/api/v1/methodologies",
    status_code=201,
    tags=["ratings"],
    guards=[roles(PUBLISHERS, "publish rating methodologies")],
)
async def publish_methodology(
    request: Request[Any, Any, Any],
    data: NewMethodology,
    methodologies: MethodologyBook,
    if_match: IfMatch = None,
) -> Response[Methodology]:
    """Publish a new version of a methodology (analyst, curator, head, administrator; ``If-Match``
    the current version). Its rating is built beside the others; nothing reported changes."""

    def publish() -> Response[Methodology]:
        methodology = methodologies.publish(
            data.id,
            to_command(data),
            actor=actor_of(request),
            expected_version=expected_version(if_match),
        )
        location = f"/api/v1/methodologies/{methodology.id}?version={methodology.version}"
        return Response(
            mirror(methodology, Methodology),
            status_code=201,
            headers={"ETag": etag(methodology.version), "Location": location},
        )

    return await sync_to_thread(publish)


@get(
    "/api/v1/methodologies/{methodology_id:str}",
    sync_to_thread=True,
    tags=["ratings"],
    opt=PUBLIC_ROUTE,
)
def get_methodology(
    methodology_id: str, methodologies: MethodologyBook, version: int | None = None
) -> Response[Methodology]:
    """Public: one methodology (its latest version, or ``version``)."""
    found = methodologies.methodology(methodology_id, version)
    if found is None:
        raise ApiProblem(404, "not-found", "Not found", "there is no such methodology")
    return Response(mirror(found, Methodology), headers={"ETag": etag(found.version)})
