"""The shipped rubricator file on its own: it decides from an empty rubricator as one version,
and every unit it routes to is a unit of the shipped directory."""

from __future__ import annotations

import tomllib
import uuid
from datetime import UTC, datetime
from pathlib import Path

from domain.rubricator.commands import PublishRubricator
from domain.rubricator.decide import decide
from domain.rubricator.diff import changes_towards
from domain.rubricator.events import RubricatorVersionPublished
from domain.rubricator.state import Rubricator, evolve
from domain.shared.handler import Decision
from infra.organisation.rubricator import LOADER, RUBRICATOR_FILE, parse

DIRECTORY_FILE = Path(RUBRICATOR_FILE).with_name("directory.toml")


def loaded() -> Rubricator:
    found = parse(RUBRICATOR_FILE.read_text(encoding="utf-8"))
    changes = tuple(changes_towards(Rubricator(), found.desired()))
    command = PublishRubricator(
        changes=changes, label=found.label, effective_from=found.effective_from
    )
    at = Decision(stream_id=uuid.uuid4(), version=0, actor=LOADER, now=datetime.now(UTC))
    state = Rubricator()
    events = decide(None, command, at)
    assert isinstance(events[-1], RubricatorVersionPublished)
    for event in events:
        state = evolve(state, event)
    return state


def test_the_shipped_file_decides_as_one_version_of_five_sections() -> None:
    state = loaded()
    assert state.version == 1
    assert state.children(None) == ["0001", "0002", "0003", "0004", "0005"]
    assert state.route("M.01") == "mbu-gorsvet"
    assert state.route("0005.0005.0056.1160") == "ugkh"


def test_every_unit_the_file_routes_to_is_in_the_shipped_directory() -> None:
    units = {u["id"] for u in tomllib.loads(DIRECTORY_FILE.read_text(encoding="utf-8"))["units"]}
    routed = set(loaded().routes.values())
    assert routed and routed <= units, routed - units
