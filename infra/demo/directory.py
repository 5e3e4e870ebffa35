"""The demo's administration: the directory file an administrator would keep, loaded as they
would load it (only the differences; nothing when it is already loaded)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from infra.container import Container
from infra.organisation.loading import load, loader
from infra.organisation.rubricator import load_file

DEMO_DIRECTORY = Path(__file__).resolve().parents[1] / "organisation" / "directory.toml"
IN_FORCE_SINCE = date(2024, 1, 1)  # before the demo's first appeal (a year and a bit ago)


def load_demo_directory(container: Container) -> int:
    """Load the demo directory and the rubricator; the number of directory changes appended."""
    loaded = load(
        container.directory,
        DEMO_DIRECTORY,
        actor=loader("demo"),
        effective=IN_FORCE_SINCE,
    )
    load_file(container.rubricator)  # the classifier and the municipality's questions
    return len(loaded.changes) if loaded.applied else 0
