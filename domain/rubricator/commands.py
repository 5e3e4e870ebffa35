"""What an administrator (or the file loader) asks of the rubricator: a batch of changes
published as one version. Each change is tagged by ``op`` in a body or a file."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

from domain.rubricator.events import Level, Source
from domain.shared.inputs import Input, line

# a classifier code (0005.0005.0056.1149) or a municipal one (M.01): a refusal may name it
CodeText = Annotated[
    str, msgspec.Meta(pattern=r"^(M\.[0-9]{2,6}|[0-9]{4}(\.[0-9]{4}){0,3})$", max_length=40)
]
Name = Annotated[str, line(500)]
UnitId = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
MAX_CHANGES = 5000  # the whole classifier is about 2,100 entries


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


Change = AddRubric | RenameRubric | RetireRubric | SetRoute | ClearRoute


class PublishRubricator(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A version: its changes, applied in order, a label and the date it takes effect."""

    changes: Annotated[tuple[Change, ...], msgspec.Meta(min_length=1, max_length=MAX_CHANGES)]
    label: Annotated[str, line(200, min_length=3)]
    effective_from: date
