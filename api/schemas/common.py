"""What every context's schemas share: the table of a stream's actions, the mapping between the
API's structs and the domain's, ETags and If-Match, offsets in queries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import msgspec

from api.errors import ApiProblem
from domain.shared.inputs import EARLIEST_YEAR, LATEST_YEAR

T = TypeVar("T")
Body = TypeVar("Body", bound=msgspec.Struct)
Command = TypeVar("Command", bound=msgspec.Struct)


def mirror(value: Any, into: type[T]) -> T:
    """``value`` as ``into``, field by field by name, nested structs too (their rules and
    ``__post_init__`` run again): the mapping between a request body and its domain command, and
    between a domain state and its response body, whose fields are named alike. A field the
    domain renames is a mapping to write here: tests/unit/test_api_schemas.py says which."""
    return msgspec.convert(value, into, from_attributes=True)


@dataclass(frozen=True)
class Action(Generic[Body, Command]):
    """One route of a stream's actions: its name (the path's last segment, and what a 403 says
    the role may not do), the OpenAPI summary, the request body and the domain command it maps
    to. ``system``: the system role's processes may call it too (records of breaches and
    re-timings, nothing else)."""

    name: str
    summary: str
    request: type[Body]
    command: type[Command]
    system: bool = False

    def to_command(self, body: Body) -> Command:
        return mirror(body, self.command)


# A version in an ETag: ASCII digits only (str.isdigit also takes "²", which int() refuses).
_VERSION = re.compile(r"[0-9]{1,18}", re.ASCII)


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None) -> int | None:
    """The version an ``If-Match`` header asks for; None when absent or ``*``."""
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not _VERSION.fullmatch(value):
        raise ApiProblem(
            400,
            "invalid-if-match",
            "Bad If-Match",
            'If-Match must be an ETag this API returned, such as "3"',
        )
    return int(value)


def require_offset(name: str, moment: datetime | None) -> None:
    """A time given in a query must say its offset (``2026-03-01T12:00:00+03:00``) and lie in the
    input domain's years, as a time in a body does (a number is read as a Unix time by the query
    parser: ``0`` would be 1970, refused here)."""
    if moment is None:
        return
    if moment.tzinfo is None:
        raise ApiProblem(
            400,
            f"invalid-{name.replace('_', '-')}",
            f"Bad {name}",
            f"{name} must carry a time zone offset, such as 2026-03-01T12:00:00Z",
        )
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ApiProblem(
            400,
            f"invalid-{name.replace('_', '-')}",
            f"Bad {name}",
            f"{name} must be a time in the years {EARLIEST_YEAR}–{LATEST_YEAR}, in ISO 8601",
        )
