"""The rubricator as its events leave it: every entry with its names through time, the routing
rules, the versions published; answers what a code is called at a date, where a topic is routed
and which code an old free-text topic stands for."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date

from domain.rubricator.events import (
    Level,
    RoutingRuleCleared,
    RoutingRuleSet,
    RubricAdded,
    RubricatorEvent,
    RubricatorVersionPublished,
    RubricRenamed,
    RubricRetired,
    Source,
)


@dataclass(frozen=True, kw_only=True)
class Version:
    number: int
    label: str
    effective_from: date
    changes: int


@dataclass(kw_only=True)
class Rubric:
    code: str
    level: Level
    parent: str | None
    source: Source
    added_on: date
    names: list[tuple[date, str]]  # (effective from, name), oldest first
    retired_on: date | None = None

    @property
    def name(self) -> str:
        return self.names[-1][1]

    @property
    def former_names(self) -> tuple[str, ...]:
        return tuple(name for _, name in self.names[:-1])

    def in_force(self, at: date | None) -> bool:
        if at is None:
            return self.retired_on is None
        return self.added_on <= at and (self.retired_on is None or at < self.retired_on)

    def name_at(self, at: date | None) -> str | None:
        if at is None:
            return self.name
        named = [name for since, name in self.names if since <= at]
        return named[-1] if named else None


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One code as of a date: its name then, its names before, where it sits."""

    code: str
    name: str
    level: Level
    parent: str | None
    source: Source
    former_names: tuple[str, ...]
    added_on: date
    retired_on: date | None


def normal(text: str) -> str:
    """A name as compared: case-folded, ё as е, runs of spaces as one."""
    return " ".join(text.casefold().replace("ё", "е").split())


@dataclass(kw_only=True)
class Rubricator:
    """Folded from the stream (the fold owns it: ``evolve`` changes it in place)."""

    rubrics: dict[str, Rubric] = field(default_factory=dict)
    # (code, municipality or None) -> unit id
    routes: dict[tuple[str, str | None], str] = field(default_factory=dict)
    versions: list[Version] = field(default_factory=list)

    @property
    def version(self) -> int:
        return self.versions[-1].number if self.versions else 0

    def entry(self, code: str, at: date | None = None) -> Entry | None:
        """The entry as of ``at`` (None: as last published, retired ones too); None when the
        code does not exist, or is not in force at ``at``."""
        rubric = self.rubrics.get(code)
        if rubric is None or (at is not None and not rubric.in_force(at)):
            return None
        name = rubric.name_at(at)
        assert name is not None  # in force at ``at``: added, hence named, by then
        return Entry(
            code=code,
            name=name,
            level=rubric.level,
            parent=rubric.parent,
            source=rubric.source,
            former_names=tuple(n for n in (n for _, n in rubric.names) if n != name),
            added_on=rubric.added_on,
            retired_on=rubric.retired_on,
        )

    def entries(self, at: date | None = None) -> list[Entry]:
        """Every entry in force at ``at`` (None: every entry, retired ones too), in code order."""
        found = (self.entry(code, at) for code in sorted(self.rubrics))
        return [e for e in found if e is not None]

    def name_of(self, code: str, at: date | None = None) -> str | None:
        """The name in force at ``at`` (the latest when None); a retired code keeps its last."""
        rubric = self.rubrics.get(code)
        return rubric.name_at(at) if rubric is not None else None

    def children(self, code: str | None, at: date | None = None) -> list[str]:
        """The codes directly under ``code`` (None: the sections) in force at ``at``."""
        return sorted(c for c, r in self.rubrics.items() if r.parent == code and r.in_force(at))

    def route(self, code: str, municipality: str | None = None) -> str | None:
        """The default unit for ``code``: the most specific rule wins — the code's own, else its
        parent's, and so up; at each level the municipality's rule before the general one."""
        current: str | None = code
        while current is not None:
            for scope in (municipality, None) if municipality is not None else (None,):
                unit = self.routes.get((current, scope))
                if unit is not None:
                    return unit
            rubric = self.rubrics.get(current)
            current = rubric.parent if rubric is not None else None
        return None

    def rules(self, code: str) -> dict[str | None, str]:
        """The rules set on ``code`` itself: municipality (None: general) -> unit id."""
        return {scope: unit for (c, scope), unit in self.routes.items() if c == code}

    def resolve(self, text: str) -> str | None:
        """The code a legacy free-text topic names: an exact name, current or former, ignoring
        case; codes in force first. Of matches on one branch the deepest wins; matches on two
        branches are ambiguous (None)."""
        wanted = normal(text)
        if not wanted:
            return None
        matched = [c for c, r in self.rubrics.items() if wanted in {normal(n) for _, n in r.names}]
        active = [c for c in matched if self.rubrics[c].retired_on is None]
        candidates = set(active or matched)
        deepest = [c for c in candidates if not any(self._under(o, c) for o in candidates)]
        return deepest[0] if len(deepest) == 1 else None

    def suggest(self, text: str, n: int = 5) -> list[str]:
        """The ``n`` codes in force whose names are closest to ``text``, by difflib: half the
        whole names' likeness, half how well the text's words find a like word in the name
        (so word forms count: «вывозят мусор» finds «Вывоз мусора»)."""
        wanted = normal(text)
        if not wanted or n < 1:
            return []
        words = [w for w in _words(wanted) if len(w) > 2] or _words(wanted)
        scored: dict[str, float] = {}
        for code, rubric in self.rubrics.items():
            if rubric.retired_on is not None:
                continue
            for _, name in rubric.names:
                scored[code] = max(scored.get(code, 0.0), _likeness(wanted, words, normal(name)))
        ranked = sorted(((s, c) for c, s in scored.items() if s >= 0.45), key=_best_first)
        return [code for _, code in ranked[:n]]

    def _under(self, code: str, ancestor: str) -> bool:
        parent = self.rubrics[code].parent
        while parent is not None:
            if parent == ancestor:
                return True
            rubric = self.rubrics.get(parent)
            parent = rubric.parent if rubric is not None else None
        return False


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^\w]+", text) if w]


def _likeness(wanted: str, words: list[str], name: str) -> float:
    whole = difflib.SequenceMatcher(None, wanted, name).ratio()
    theirs = _words(name)
    if not theirs:
        return whole
    found = [max(difflib.SequenceMatcher(None, w, t).ratio() for t in theirs) for w in words]
    return (whole + sum(found) / len(found)) / 2


def _best_first(pair: tuple[float, str]) -> tuple[float, str]:
    return -pair[0], pair[1]


def evolve(state: Rubricator | None, event: RubricatorEvent) -> Rubricator:
    state = state if state is not None else Rubricator()
    since = event.effective_from
    match event:
        case RubricAdded():
            state.rubrics[event.code] = Rubric(
                code=event.code,
                level=event.level,
                parent=event.parent,
                source=event.source,
                added_on=since,
                names=[(since, event.name)],
            )
        case RubricRenamed():
            state.rubrics[event.code].names.append((since, event.name))
        case RubricRetired():
            state.rubrics[event.code].retired_on = since
        case RoutingRuleSet():
            state.routes[(event.code, event.municipality)] = event.unit_id
        case RoutingRuleCleared():
            state.routes.pop((event.code, event.municipality), None)
        case RubricatorVersionPublished():
            state.versions.append(
                Version(
                    number=event.version,
                    label=event.label,
                    effective_from=since,
                    changes=event.changes,
                )
            )
    return state
