"""The demo catalogue's topics as rubricator codes (``infra/demo/topics.py``) against the shipped
rubricator and directory files: every pair and topic has a code in force, the municipality's own
entries hang under existing ones, and every code routes to a unit of the directory."""

from __future__ import annotations

import tomllib
import uuid
from datetime import UTC, datetime
from functools import cache

from domain.organisation.directory import folded
from domain.rubricator.commands import PublishRubricator
from domain.rubricator.decide import decide
from domain.rubricator.diff import changes_towards
from domain.rubricator.events import Level
from domain.rubricator.state import Rubricator, evolve
from domain.shared.handler import Decision
from infra.demo import catalogue
from infra.demo.topics import SECTION_CODES, TOPIC_CODES
from infra.organisation.rubricator import LOADER, RUBRICATOR_FILE, RubricatorFile, parse

DIRECTORY_FILE = RUBRICATOR_FILE.with_name("directory.toml")
PAIRS = {
    (topic, sub): dept for topic, subs in catalogue.RUBRICATOR.items() for sub, dept, _ in subs
}
ADDED_FOR_THE_DEMO = ("M.10", "M.11", "M.12", "M.13", "M.14")


@cache
def shipped() -> RubricatorFile:
    return parse(RUBRICATOR_FILE.read_text(encoding="utf-8"))


@cache
def rubricator() -> Rubricator:
    found = shipped()
    command = PublishRubricator(
        changes=tuple(changes_towards(Rubricator(), found.desired())),
        label=found.label,
        effective_from=found.effective_from,
    )
    at = Decision(stream_id=uuid.uuid4(), version=0, actor=LOADER, now=datetime.now(UTC))
    state = Rubricator()
    for event in decide(None, command, at):
        state = evolve(state, event)
    return state


def units() -> dict[str, str]:
    """Every name and alias of the shipped directory's units, folded, -> the unit's id."""
    found: dict[str, str] = {}
    for unit in tomllib.loads(DIRECTORY_FILE.read_text(encoding="utf-8"))["units"]:
        for name in (unit["id"], unit["name"], *unit.get("aliases", ())):
            found[folded(name)] = unit["id"]
    return found


def in_force(code: str) -> bool:
    entry = rubricator().entry(code, shipped().effective_from)
    return entry is not None and entry.retired_on is None


def test_every_catalogue_pair_and_only_those_has_a_code() -> None:
    assert set(TOPIC_CODES) == set(PAIRS)


def test_every_catalogue_topic_and_only_those_has_a_section_code() -> None:
    assert set(SECTION_CODES) == set(catalogue.RUBRICATOR)


def test_every_demo_code_is_an_entry_in_force_of_the_shipped_rubricator() -> None:
    codes = {*TOPIC_CODES.values(), *SECTION_CODES.values()}
    assert {code for code in codes if not in_force(code)} == set()


def test_a_pair_is_filed_under_a_question() -> None:
    levels = {pair: rubricator().rubrics[code].level for pair, code in TOPIC_CODES.items()}
    assert {pair for pair, level in levels.items() if level is not Level.QUESTION} == set()


def test_a_section_code_stands_above_at_least_one_of_its_pairs_codes() -> None:
    def above(section: str, code: str | None) -> bool:
        while code is not None and code != section:
            code = rubricator().rubrics[code].parent
        return code == section

    lonely = {
        topic
        for topic, section in SECTION_CODES.items()
        if not any(
            above(section, TOPIC_CODES[(topic, sub)]) for sub, _, _ in catalogue.RUBRICATOR[topic]
        )
    }
    assert lonely == set()


def test_every_municipal_entry_hangs_under_an_existing_entry_one_level_up() -> None:
    found = shipped()
    levels = {e.code: e.level for e in (*found.classifier, *found.municipal)}
    order = list(Level)
    misplaced = {
        e.code
        for e in found.municipal
        if e.parent not in levels or order.index(levels[e.parent]) + 1 != order.index(e.level)
    }
    assert {e.code for e in found.municipal} >= set(ADDED_FOR_THE_DEMO)
    assert misplaced == set()


def test_every_demo_code_routes_to_a_unit_of_the_shipped_directory() -> None:
    known = set(units().values())
    routed = {code: rubricator().route(code) for code in TOPIC_CODES.values()}
    assert {code: unit for code, unit in routed.items() if unit not in known} == {}


def test_an_entry_added_for_the_demo_routes_to_its_catalogue_department() -> None:
    by_name = units()
    wanted = {
        code: by_name.get(folded(PAIRS[pair]))
        for pair, code in TOPIC_CODES.items()
        if code in ADDED_FOR_THE_DEMO
    }
    assert set(wanted) == set(ADDED_FOR_THE_DEMO)
    assert {code: rubricator().route(code) for code in wanted} == wanted
