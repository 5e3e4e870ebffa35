"""What a fresh database is given on start: the production calendar for the years deadlines can
reach, the federal SLA policy (version 1) when no policy is published, and the bundled rating
methodologies (``infra/methodologies/v1.toml``, ``v2.toml``) that are not."""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

from domain.ratings.methodology import parse_toml
from domain.ratings.methodology_book import MethodologyBook
from domain.shared.errors import ConcurrencyConflict
from domain.sla.books import CalendarBook, PolicyBook
from domain.sla.policy import FEDERAL
from infra import calendar_source

METHODOLOGIES = Path(__file__).resolve().parent / "methodologies"
DEFAULT_METHODOLOGY = "v1"
# seeded in this order when missing; v2 (in force from 2027-01) prefers the citizen's own scores
BUNDLED_METHODOLOGIES = (DEFAULT_METHODOLOGY, "v2")


def seed_books(
    calendar: CalendarBook,
    policies: PolicyBook,
    methodologies: MethodologyBook,
    *,
    sla_policy: str,
    today: date,
) -> None:
    calendar_source.seed(calendar, calendar_source.default_years(today))
    if sla_policy == FEDERAL.id:
        policies.seed(FEDERAL, actor=calendar_source.SEEDER)
    for bundled in BUNDLED_METHODOLOGIES:  # v1, then v2 (issue 17: the citizen's scores)
        if methodologies.methodology(bundled) is None:
            with contextlib.suppress(ConcurrencyConflict):  # another process seeded it first
                methodologies.publish(
                    bundled,
                    parse_toml((METHODOLOGIES / f"{bundled}.toml").read_text()),
                    actor=calendar_source.SEEDER,
                )
