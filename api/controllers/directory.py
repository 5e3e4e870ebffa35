"""The administration's directory: read it as of a date (staff), change it (administrators)."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.concurrency import sync_to_thread

from api.auth import actor_of, roles
from api.controllers.params import POSITION_HEADER, IdempotencyKey, IfMatch
from api.errors import ApiProblem
from api.schemas import directory as schema
from api.schemas.common import etag, expected_version
from domain.organisation import commands
from domain.organisation.book import DirectoryBook
from domain.organisation.changes import CHANGERS
from domain.organisation.directory import Directory
from domain.organisation.events import Position
from domain.shared.actors import STAFF_READERS, Role
from domain.shared.handler import IdempotencyClaim

READERS = STAFF_READERS | {Role.ADMINISTRATOR}


def _unit(directory: Directory, unit_id: str, at: date | None) -> schema.Unit | None:
    unit = directory.unit(unit_id, at)
    if unit is None:
        return None
    holders = tuple(
        schema.Holder(person_id=p, name=directory.people[p].name(at), position=position)
        for position in Position
        for p in directory.holders(unit_id, position, at)
    )
    fields = msgspec.structs.asdict(unit)
    return schema.Unit(**fields, sector_id=directory.sector_of(unit_id, at), holders=holders)


@get(
    "/api/v1/directory",
    sync_to_thread=True,
    tags=["directory"],
    guards=[roles(READERS, "read the directory")],
)
def read_directory(
    directory_book: DirectoryBook, as_of: date | None = None, closed: bool = False
) -> Response[schema.Directory]:
    """The units as they stood on ``as_of`` (default: as recorded now), with their names then,
    former names, sector and the people holding positions in them; ``closed`` adds the units
    merged or closed by then."""
    directory = directory_book.directory()
    units = [_unit(directory, u.id, as_of) for u in directory.listing(as_of, closed=closed)]
    version = directory_book.version()
    body = schema.Directory(version=version, as_of=as_of, units=[u for u in units if u])
    return Response(body, headers={"ETag": etag(version)})


@get(
    "/api/v1/directory/units/{unit_id:str}",
    sync_to_thread=True,
    tags=["directory"],
    guards=[roles(READERS, "read the directory")],
)
def read_unit(
    directory_book: DirectoryBook, unit_id: str, as_of: date | None = None
) -> schema.Unit:
    """One unit as it stood on ``as_of``."""
    found = _unit(directory_book.directory(), unit_id, as_of)
    if found is None:
        raise ApiProblem(404, "not-found", "Not found", "the directory has no such unit then")
    return found


@get(
    "/api/v1/directory/people/{person_id:str}",
    sync_to_thread=True,
    tags=["directory"],
    guards=[roles(READERS, "read the directory")],
)
def read_person(directory_book: DirectoryBook, person_id: str) -> schema.Person:
    """A person of the administration: their name, former names and every position held."""
    directory = directory_book.directory()
    person = directory.person(person_id)
    if person is None:
        raise ApiProblem(404, "not-found", "Not found", "the directory has no such person")
    name = person.name()
    positions = tuple(
        schema.HeldPosition(
            unit_id=h.unit_id,
            unit_name=directory.name_of(h.unit_id, h.since),
            position=h.position,
            since=h.since,
            until=h.until,
        )
        for h in person.positions
    )
    former = tuple(n for _, n in person.names if n != name)
    return schema.Person(id=person.id, name=name, former_names=former, positions=positions)


@post(
    "/api/v1/directory/changes",
    status_code=200,
    tags=["directory"],
    guards=[roles(CHANGERS, "change the directory")],
)
async def change_directory(
    request: Request[Any, Any, Any],
    data: schema.ChangeDirectory,
    directory_book: DirectoryBook,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response[schema.DirectoryChanged]:
    """Apply a batch of changes (administrator; ``If-Match`` the directory's version): decided in
    order against the directory as it stands, all or none, each one event with the day it takes
    effect. A change that breaks a rule is a 422 naming the change and the rule; a unit that is
    not in the directory comes with the closest ones (``suggestions``)."""
    actor = actor_of(request)
    command = msgspec.convert(msgspec.to_builtins(data), commands.ChangeDirectory)
    claim = None
    if idempotency_key is not None:
        fingerprint = hashlib.sha256(msgspec.json.encode(data)).hexdigest()
        claim = IdempotencyClaim(principal=actor.id, key=idempotency_key, fingerprint=fingerprint)

    def change() -> Response[schema.DirectoryChanged]:
        written = directory_book.change(
            command, actor=actor, expected_version=expected_version(if_match), idempotency=claim
        )
        body = schema.DirectoryChanged(
            version=written.version, position=written.position, changes=len(command.changes)
        )
        headers = {"ETag": etag(written.version), POSITION_HEADER: str(written.position)}
        return Response(body, headers=headers)

    return await sync_to_thread(change)
