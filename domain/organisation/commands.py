"""The directory's commands: a batch of changes, each a tagged object (``"op": "create-unit"``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

from domain.organisation.events import Position, UnitKind
from domain.shared.inputs import Input, ShortText

# A unit's or a person's id: kept by the administrator in their files, never reused, in URLs.
DirectoryId = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9._-]{0,62}$")]
# An official's work e-mail: one address, no display name.
WorkEmail = Annotated[
    str, msgspec.Meta(pattern=r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$", max_length=254)
]


class CreateUnit(Input, frozen=True, kw_only=True, tag_field="op", tag="create-unit"):
    unit_id: DirectoryId
    kind: UnitKind
    name: ShortText
    parent_id: DirectoryId | None = None
    founder_id: DirectoryId | None = None
    effective: date | None = None


class RenameUnit(Input, frozen=True, kw_only=True, tag_field="op", tag="rename-unit"):
    unit_id: DirectoryId
    name: ShortText
    effective: date | None = None


class MoveUnit(Input, frozen=True, kw_only=True, tag_field="op", tag="move-unit"):
    unit_id: DirectoryId
    parent_id: DirectoryId
    effective: date | None = None


class MergeUnit(Input, frozen=True, kw_only=True, tag_field="op", tag="merge-unit"):
    unit_id: DirectoryId
    into_id: DirectoryId
    effective: date | None = None


class CloseUnit(Input, frozen=True, kw_only=True, tag_field="op", tag="close-unit"):
    unit_id: DirectoryId
    effective: date | None = None


class AddAlias(Input, frozen=True, kw_only=True, tag_field="op", tag="add-alias"):
    unit_id: DirectoryId
    alias: ShortText


class RegisterPerson(Input, frozen=True, kw_only=True, tag_field="op", tag="register-person"):
    person_id: DirectoryId
    name: ShortText
    effective: date | None = None


class RenamePerson(Input, frozen=True, kw_only=True, tag_field="op", tag="rename-person"):
    person_id: DirectoryId
    name: ShortText
    effective: date | None = None


class SetEmail(Input, frozen=True, kw_only=True, tag_field="op", tag="set-email"):
    """The person's work e-mail (None: cleared)."""

    person_id: DirectoryId
    email: WorkEmail | None
    effective: date | None = None


class Appoint(Input, frozen=True, kw_only=True, tag_field="op", tag="appoint"):
    person_id: DirectoryId
    unit_id: DirectoryId
    position: Position
    effective: date | None = None


class Relieve(Input, frozen=True, kw_only=True, tag_field="op", tag="relieve"):
    person_id: DirectoryId
    unit_id: DirectoryId
    position: Position
    effective: date | None = None


Change = (
    CreateUnit
    | RenameUnit
    | MoveUnit
    | MergeUnit
    | CloseUnit
    | AddAlias
    | RegisterPerson
    | RenamePerson
    | SetEmail
    | Appoint
    | Relieve
)


class ChangeDirectory(Input, frozen=True, kw_only=True):
    """A batch of changes; ``effective`` is the day for those that name none (default: today)."""

    changes: Annotated[tuple[Change, ...], msgspec.Meta(min_length=1, max_length=5000)]
    effective: date | None = None
