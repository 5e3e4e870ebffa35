"""Rating methodologies as data: the shipped v1 file, and every rule a publication must keep."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from domain.ratings.methodology import (
    Indicator,
    InForce,
    MethodologyPublished,
    Normalisation,
    PublishMethodology,
    Weight,
    decide_publish,
    parse_toml,
)
from domain.shared.actors import Actor, Role
from domain.shared.errors import Forbidden, InvalidCommand

NOW = datetime(2026, 11, 1, tzinfo=UTC)
ANALYST = Actor(id="an-1", role=Role.ANALYST, name="Аналитик")
V1 = Path(__file__).resolve().parents[2] / "infra" / "methodologies" / "v1.toml"


def publish(command: PublishMethodology, actor: Actor = ANALYST) -> MethodologyPublished:
    (event,) = decide_publish(None, "v1", command, actor=actor, now=NOW, stream_version=0)
    return event


def test_the_shipped_v1_file_is_a_valid_methodology_in_force_from_2026() -> None:
    event = publish(parse_toml(V1.read_text()))
    methodology = event.methodology
    assert (methodology.id, methodology.version, methodology.label) == ("v1", 1, "v1/1")
    assert sum(w.weight for w in methodology.weights) == pytest.approx(1)
    assert methodology.min_volume == 10
    assert methodology.in_force_for("2026-03") and not methodology.in_force_for("2025-12")


def _with(**changes: object) -> PublishMethodology:
    base = parse_toml(V1.read_text())
    return msgspec.structs.replace(base, **changes)


@pytest.mark.parametrize(
    ("command", "words"),
    [
        (
            _with(
                weights=(
                    Weight(
                        indicator=Indicator.VOLUME, weight=0.5, normalisation=Normalisation.MIN_MAX
                    ),
                )
            ),
            "add up to 0.5",
        ),
        (
            _with(
                weights=(
                    Weight(
                        indicator=Indicator.VOLUME, weight=0.5, normalisation=Normalisation.MIN_MAX
                    ),
                    Weight(
                        indicator=Indicator.VOLUME, weight=0.5, normalisation=Normalisation.MIN_MAX
                    ),
                )
            ),
            "one weight",
        ),
        (
            _with(
                weights=(
                    Weight(
                        indicator=Indicator.MEDIAN_HOURS,
                        weight=1,
                        normalisation=Normalisation.SHARE,
                    ),
                )
            ),
            "not a share",
        ),
        (
            _with(
                weights=(
                    Weight(
                        indicator=Indicator.MEDIAN_HOURS,
                        weight=1,
                        normalisation=Normalisation.TARGET,
                    ),
                )
            ),
            "give 'target'",
        ),
        (_with(in_force=(InForce(since="2026-13"),)), "not a month"),
        (_with(in_force=(InForce(since="2026-05", until="2026-01"),)), "ends before it starts"),
    ],
)
def test_a_publication_that_breaks_a_rule_is_refused(
    command: PublishMethodology, words: str
) -> None:
    with pytest.raises(InvalidCommand, match=words):
        publish(command)


def test_only_analysts_and_the_control_centre_publish_and_files_are_checked() -> None:
    with pytest.raises(Forbidden):
        publish(parse_toml(V1.read_text()), Actor(id="o", role=Role.OPERATOR, name="О"))
    with pytest.raises(InvalidCommand, match="not TOML"):
        parse_toml("title = ")
    with pytest.raises(InvalidCommand, match="not valid"):
        parse_toml('title = "Методика"\nnote = "x"\nweights = []\nextra = 1')
