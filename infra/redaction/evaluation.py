"""Precision and recall of the masker on a gold set (docs/redaction.md defines the counting).

A gold span is found when masks (of any label: a phone masked as an address is hidden all the
same) cover every letter and digit of it; a mask is right when it overlaps a gold span. Recall is
counted per gold label, precision per the mask's label."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.redaction.masker import Label, Masker, Span


@dataclass(frozen=True)
class Gold:
    text: str
    spans: tuple[Span, ...]


@dataclass
class Tally:
    gold: int = 0
    found: int = 0
    masks: int = 0
    right: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.masks if self.masks else 1.0


@dataclass
class Report:
    by_label: dict[str, Tally] = field(default_factory=dict)
    texts: int = 0
    seconds: float = 0.0
    misses: list[tuple[str, str]] = field(default_factory=list)  # (label, the gold text)
    wrong: list[tuple[str, str]] = field(default_factory=list)  # (label, the masked text)

    @property
    def overall(self) -> Tally:
        total = Tally()
        for t in self.by_label.values():
            total.gold += t.gold
            total.found += t.found
            total.masks += t.masks
            total.right += t.right
        return total

    @property
    def ms_per_text(self) -> float:
        return 1000 * self.seconds / self.texts if self.texts else 0.0


def load(path: Path) -> list[Gold]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        raw: dict[str, Any] = json.loads(line)
        spans = tuple(Span(s["start"], s["end"], Label(s["label"])) for s in raw["spans"])
        items.append(Gold(raw["text"], spans))
    return items


def _covered(text: str, gold: Span, masks: list[Span]) -> bool:
    hidden: set[int] = set()
    for m in masks:
        hidden.update(range(max(m.start, gold.start), min(m.end, gold.end)))
    return all(i in hidden for i in range(gold.start, gold.end) if text[i].isalnum())


def evaluate(masker: Masker, items: list[Gold]) -> Report:
    report = Report(by_label={label.value: Tally() for label in Label})
    masker.find("Разогрев модели, Иван Петров.")  # the model's loading is not a text's cost
    for item in items:
        started = time.perf_counter()
        masks = masker.find(item.text)
        report.seconds += time.perf_counter() - started
        report.texts += 1
        for gold in item.spans:
            tally = report.by_label[gold.label.value]
            tally.gold += 1
            if _covered(item.text, gold, masks):
                tally.found += 1
            else:
                report.misses.append((gold.label.value, item.text[gold.start : gold.end]))
        for mask in masks:
            tally = report.by_label[mask.label.value]
            tally.masks += 1
            if any(mask.start < g.end and g.start < mask.end for g in item.spans):
                tally.right += 1
            else:
                report.wrong.append((mask.label.value, item.text[mask.start : mask.end]))
    return report


def table(report: Report) -> list[str]:
    lines = [
        f"{'label':<10}{'gold':>6}{'found':>7}{'recall':>8}{'masks':>7}{'right':>7}{'prec.':>8}"
    ]
    rows = [*report.by_label.items(), ("overall", report.overall)]
    for name, t in rows:
        lines.append(
            f"{name:<10}{t.gold:>6}{t.found:>7}{t.recall:>8.3f}{t.masks:>7}{t.right:>7}"
            f"{t.precision:>8.3f}"
        )
    return lines
