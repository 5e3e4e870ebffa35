"""The rubricator's events: entries added, renamed and retired, routing rules set and cleared,
each stamped with the version that publishes it and the date that version takes effect; a
version's publication closes its set of changes. One stream holds them all."""

from __future__ import annotations

import re
import uuid
from datetime import date
from enum import StrEnum

from domain.shared.envelope import Envelope

_NAMESPACE = uuid.UUID("6f4f2a3e-8c1d-4b7a-9e25-3d0c7b1a5e42")
# The whole rubricator in one stream: one read, and two publications at once collide on its
# version (a conflict, never a lost change).
STREAM = uuid.uuid5(_NAMESPACE, "rubricator")


class Level(StrEnum):
    """The classifier's four levels (раздел → тематика → тема → вопрос)."""

    SECTION = "section"
    THEME = "theme"
    TOPIC = "topic"
    QUESTION = "question"

    @property
    def depth(self) -> int:
        return list(Level).index(self) + 1


class Source(StrEnum):
    CLASSIFIER = "classifier"  # the common Russian classifier (ССТУ.РФ)
    MUNICIPAL = "municipal"  # the municipality's own extension


# Classifier codes: four digits per level, dotted (0005, 0005.0005, 0005.0005.0056,
# 0005.0005.0056.1149). Municipal codes carry a prefix the classifier never uses: M.01, M.0101.
CLASSIFIER_CODE = re.compile(r"[0-9]{4}(\.[0-9]{4}){0,3}")
MUNICIPAL_CODE = re.compile(r"M\.[0-9]{2,6}")
UNIT_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


class RubricatorEvent(Envelope, frozen=True, kw_only=True, gc=False):
    """Base of the rubricator's events: the version that publishes the change and the date it
    takes effect (the same on every change of a version and on its publication)."""

    version: int
    effective_from: date


class RubricAdded(RubricatorEvent, frozen=True, kw_only=True, gc=False):
    code: str
    name: str
    level: Level
    parent: str | None
    source: Source


class RubricRenamed(RubricatorEvent, frozen=True, kw_only=True, gc=False):
    """A new name; the former ones stay known (old appeals' free-text topics resolve by them)."""

    code: str
    name: str


class RubricRetired(RubricatorEvent, frozen=True, kw_only=True, gc=False):
    """No longer offered for new appeals; the code is never given to another entry."""

    code: str


class RoutingRuleSet(RubricatorEvent, frozen=True, kw_only=True, gc=False):
    """Appeals on ``code`` (and the codes under it without a rule of their own) go to
    ``unit_id`` by default; in ``municipality`` only, or everywhere when None."""

    code: str
    unit_id: str
    municipality: str | None


class RoutingRuleCleared(RubricatorEvent, frozen=True, kw_only=True, gc=False):
    code: str
    municipality: str | None


class RubricatorVersionPublished(RubricatorEvent, frozen=True, kw_only=True, gc=False):
    """Closes the version's changes (the events before it with the same ``version``)."""

    label: str
    changes: int


RUBRICATOR_EVENT_TYPES: tuple[type[RubricatorEvent], ...] = (
    RubricAdded,
    RubricRenamed,
    RubricRetired,
    RoutingRuleSet,
    RoutingRuleCleared,
    RubricatorVersionPublished,
)
