"""Reads the retention schedule from its TOML file (the bundled one, or the administrator's)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from domain.appeals.vocabulary import Kind
from domain.retention.schedule import CountsFrom, RetentionRule, RetentionSchedule

BUNDLED = Path(__file__).with_name("schedule.toml")


class ScheduleError(ValueError):
    """The schedule file cannot be used (what is wrong, never its values)."""


def load_schedule(path: Path | None = None) -> RetentionSchedule:
    source = path or BUNDLED
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ScheduleError(f"the retention schedule {source} cannot be read: {e}") from e
    try:
        default = _rule(Kind.APPEAL, data["default"], CountsFrom.NEXT_JANUARY)
        kinds = data.get("kinds", {})
        rules = {
            Kind(name): _rule(Kind(name), value, default.counts_from)
            for name, value in kinds.items()
        }
    except (KeyError, TypeError, ValueError) as e:
        raise ScheduleError(f"the retention schedule {source} is not valid: {e}") from e
    return RetentionSchedule(rules=rules, default=default)


def _rule(kind: Kind, table: Any, inherited: CountsFrom) -> RetentionRule:
    """A kind's rule; how it counts is the default's unless it says otherwise."""
    years, basis = table["years"], table["basis"]
    if not isinstance(years, int) or isinstance(years, bool) or not isinstance(basis, str):
        raise TypeError(f"{kind}: years must be an integer and basis a text")
    counts_from = CountsFrom(table.get("counts_from", inherited))
    return RetentionRule(kind=kind, years=years, basis=basis, counts_from=counts_from)
