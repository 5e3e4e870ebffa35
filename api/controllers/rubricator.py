"""The rubricator: read it as of a date, read one code (public: the classifier is public
information, and so is which unit a topic goes to); publish a batch of changes as a version
(administrator, If-Match the version read)."""

from datetime import date
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.concurrency import sync_to_thread

from api.auth import PUBLIC_ROUTE, actor_of, roles
from api.controllers.params import IfMatch
from api.errors import ApiProblem
from api.schemas.common import etag, expected_version, mirror
from api.schemas.rubricator import (
    Entry,
    EntryDetail,
    NewRubricatorVersion,
    Route,
    Rubricator,
    RubricatorVersion,
)
from domain.rubricator.book import RubricatorBook
from domain.rubricator.commands import PublishRubricator
from domain.rubricator.decide import EDITORS
from domain.rubricator.state import Rubricator as State


def to_command(data: NewRubricatorVersion) -> PublishRubricator:
    """The body as the domain's command: through builtins, which keep each change's ``op`` tag
    (a struct-to-struct mirror cannot tell the tagged changes apart)."""
    return msgspec.convert(msgspec.to_builtins(data, builtin_types=(date,)), PublishRubricator)


def _version(state: State) -> RubricatorVersion | None:
    latest = state.versions[-1] if state.versions else None
    return mirror(latest, RubricatorVersion) if latest is not None else None


@get("/api/v1/rubricator", sync_to_thread=True, tags=["rubricator"], opt=PUBLIC_ROUTE)
def get_rubricator(rubricator: RubricatorBook, as_of: date | None = None) -> Response[Rubricator]:
    """Public: every entry in force on ``as_of`` under the name it had then (without it: every
    entry as last published, retired ones too, with ``retired_on``)."""
    state = rubricator.rubricator()
    body = Rubricator(
        version=_version(state),
        as_of=as_of,
        entries=mirror(state.entries(as_of), tuple[Entry, ...]),
    )
    return Response(body, headers={"ETag": etag(state.version)})


@get("/api/v1/rubricator/{code:str}", sync_to_thread=True, tags=["rubricator"], opt=PUBLIC_ROUTE)
def get_rubric(
    code: str, rubricator: RubricatorBook, as_of: date | None = None
) -> Response[EntryDetail]:
    """Public: one code as of ``as_of`` (its name then, its former names), the codes under it,
    its routing rules and the unit it is routed to by default."""
    state = rubricator.rubricator()
    entry = state.entry(code, as_of)
    if entry is None:
        raise ApiProblem(404, "not-found", "Not found", "the rubricator has no such code then")
    detail = EntryDetail(
        **msgspec.structs.asdict(mirror(entry, Entry)),
        children=tuple(state.children(code, as_of)),
        routes=tuple(Route(unit_id=u, municipality=m) for m, u in state.rules(code).items()),
        routed_to=state.route(code),
    )
    return Response(detail, headers={"ETag": etag(state.version)})


@post(
    "/api/v1/rubricator/changes",
    status_code=201,
    tags=["rubricator"],
    guards=[roles(EDITORS, "change the rubricator")],
)
async def publish_changes(
    request: Request[Any, Any, Any],
    data: NewRubricatorVersion,
    rubricator: RubricatorBook,
    if_match: IfMatch = None,
) -> Response[RubricatorVersion]:
    """Publish the changes as the next version (administrator; ``If-Match`` the version read).
    A code once used is never given again; every change is checked against what the earlier
    ones leave, and one that breaks a rule refuses the batch (422 naming the change)."""

    def publish() -> Response[RubricatorVersion]:
        state = rubricator.publish(
            to_command(data),
            actor=actor_of(request),
            expected_version=expected_version(if_match),
        )
        version = _version(state)
        assert version is not None
        return Response(
            version,
            status_code=201,
            headers={"ETag": etag(version.number), "Location": "/api/v1/rubricator"},
        )

    return await sync_to_thread(publish)
