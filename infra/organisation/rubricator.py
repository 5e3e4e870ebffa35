"""The rubricator file (``infra/organisation/rubricator.toml``): read, checked and loaded as the
difference from the stored rubricator, in one version; loading it twice appends nothing."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import msgspec

from domain.rubricator.book import RubricatorBook
from domain.rubricator.diff import Desired, DesiredRoute, DesiredRubric
from domain.rubricator.events import Level, Source
from domain.rubricator.state import Rubricator
from domain.shared.actors import Actor, Role
from domain.shared.errors import InvalidCommand

RUBRICATOR_FILE = Path(__file__).resolve().parent / "rubricator.toml"
LOADER = Actor(id="rubricator-loader", role=Role.SYSTEM, name="Загрузка рубрикатора")
_LINE = msgspec.Meta(min_length=1, max_length=500)


class _Entry(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    level: Level
    name: Annotated[str, _LINE]
    parent: str | None = None


class _Route(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    unit: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
    municipality: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")] | None = None


class RubricatorFile(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The file: the classifier's entries, the municipality's, the routing rules, and the label
    and date of the version a load publishes."""

    label: Annotated[str, msgspec.Meta(min_length=3, max_length=200)]
    effective_from: date
    classifier: tuple[_Entry, ...] = ()
    municipal: tuple[_Entry, ...] = ()
    routes: tuple[_Route, ...] = ()

    def desired(self) -> Desired:
        rubrics = [_rubric(e, Source.CLASSIFIER) for e in self.classifier]
        rubrics += [_rubric(e, Source.MUNICIPAL) for e in self.municipal]
        routes = tuple(
            DesiredRoute(code=r.code, unit_id=r.unit, municipality=r.municipality)
            for r in self.routes
        )
        return Desired(rubrics=tuple(rubrics), routes=routes)


def _rubric(entry: _Entry, source: Source) -> DesiredRubric:
    return DesiredRubric(
        code=entry.code, name=entry.name, level=entry.level, parent=entry.parent, source=source
    )


def parse(text: str) -> RubricatorFile:
    """The file's text as a ``RubricatorFile``; an ``InvalidCommand`` saying what is wrong."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidCommand(f"the rubricator file is not TOML: {error}") from None
    try:
        return msgspec.convert(data, RubricatorFile)
    except msgspec.ValidationError as error:
        raise InvalidCommand(f"the rubricator file is not valid: {error}") from None


def load_file(
    book: RubricatorBook, actor: Actor = LOADER, path: Path = RUBRICATOR_FILE
) -> Rubricator | None:
    """Publish the difference between the file at ``path`` and the stored rubricator as one
    version (the file's label and date); None when there is none — nothing is appended. Another
    process publishing meanwhile makes it raise ``VersionMismatch``: load again."""
    found = parse(path.read_text(encoding="utf-8"))
    return book.load(
        found.desired(), label=found.label, effective_from=found.effective_from, actor=actor
    )
