"""The rubricator's bodies: a batch of changes published as one version, the rubricator as of a
date, one entry with its children and routing rules."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

from domain.rubricator.commands import MAX_CHANGES, CodeText, Name, UnitId
from domain.rubricator.events import Level, Source
from domain.shared.inputs import Input, line


class AddRubric(
    Input, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="add", tag_field="op"
):
    code: CodeText
    name: Name
    level: Level
    parent: CodeText | None = None
    source: Source = Source.CLASSIFIER


class RenameRubric(
    Input, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="rename", tag_field="op"
):
    code: CodeText
    name: Name


class RetireRubric(
    Input, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="retire", tag_field="op"
):
    code: CodeText


class SetRoute(
    Input, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="route", tag_field="op"
):
    code: CodeText
    unit_id: UnitId
    municipality: UnitId | None = None


class ClearRoute(
    Input, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="unroute", tag_field="op"
):
    code: CodeText
    municipality: UnitId | None = None


class NewRubricatorVersion(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Changes applied in order and published as one version, taking effect on
    ``effective_from``; refused whole when one of them breaks a rule (which one, it says)."""

    changes: Annotated[
        tuple[AddRubric | RenameRubric | RetireRubric | SetRoute | ClearRoute, ...],
        msgspec.Meta(min_length=1, max_length=MAX_CHANGES),
    ]
    label: Annotated[str, line(200, min_length=3)]
    effective_from: date


class RubricatorVersion(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    label: str
    effective_from: date
    changes: int


class Entry(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str  # the name in force at the date asked (the latest without one)
    level: Level
    parent: str | None
    source: Source
    former_names: tuple[str, ...]
    added_on: date
    retired_on: date | None


class Rubricator(msgspec.Struct, frozen=True, kw_only=True):
    version: RubricatorVersion | None  # the latest published (None: nothing yet)
    as_of: date | None
    entries: tuple[Entry, ...]


class Route(msgspec.Struct, frozen=True, kw_only=True):
    unit_id: str
    municipality: str | None  # None: everywhere


class EntryDetail(Entry, frozen=True, kw_only=True):
    children: tuple[str, ...]  # the codes under it in force at the date
    routes: tuple[Route, ...]  # the rules set on the code itself
    routed_to: str | None  # the general default unit, its own rule or an ancestor's
