"""The masker: names, addresses, phones and e-mails in Russian free text replaced by tags. The
natasha model (shipped inside its package) is loaded once per process, on first use."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from importlib.metadata import version
from typing import Any

import phonenumbers

from infra.redaction import rules


class Label(StrEnum):
    NAME = "ИМЯ"
    ADDRESS = "АДРЕС"
    PHONE = "ТЕЛЕФОН"
    EMAIL = "EMAIL"


# Where two findings overlap, the more specific one keeps its label (an e-mail holds a name, an
# address holds a street named after someone).
_PRIORITY = {Label.EMAIL: 0, Label.PHONE: 1, Label.ADDRESS: 2, Label.NAME: 3}
# The operating point (docs/redaction.md): VALID, a number whose code the library's tables know,
# however it is grouped. POSSIBLE found no more phones on the test sets and took an
# organisation's 10-digit ИНН for one; STRICT_GROUPING would miss numbers grouped unusually.
LENIENCY = "VALID"
LENIENCIES = ("POSSIBLE", "VALID", "STRICT_GROUPING", "EXACT_GROUPING")
MIN_NAME_LETTERS = 3  # a PER span shorter than this (a stray initial) is not a name
RULES_VERSION = 1


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    label: Label


@dataclass(frozen=True, slots=True)
class Masked:
    text: str
    spans: tuple[Span, ...]  # in the original text's offsets

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for span in self.spans:
            found[span.label.value] = found.get(span.label.value, 0) + 1
        return found


class _Model:
    """natasha's segmenter and news NER tagger, built once (about 1.5 s and 30 MB)."""

    def __init__(self) -> None:
        from natasha.doc import Doc
        from natasha.emb import NewsEmbedding
        from natasha.ner import NewsNERTagger
        from natasha.segment import Segmenter

        self.doc = Doc
        self.segmenter = Segmenter()
        self.tagger = NewsNERTagger(NewsEmbedding())

    def persons(self, text: str) -> Iterator[tuple[int, int]]:
        doc: Any = self.doc(text)
        doc.segment(self.segmenter)
        doc.tag_ner(self.tagger)
        for span in doc.spans:
            if span.type == "PER":
                yield span.start, span.stop


_MODEL: _Model | None = None
_LOADING = threading.Lock()


class Masker:
    """``mask(text)``: the text with every finding replaced by «[ЛЕЙБЛ]». Thread-safe; the model
    loads on the first text (one per process)."""

    def __init__(self, leniency: str = LENIENCY, *, model: bool = True) -> None:
        if leniency not in LENIENCIES:
            raise ValueError(f"the phone leniency is one of {', '.join(LENIENCIES)}")
        self.leniency: int = getattr(phonenumbers.Leniency, leniency)
        self.use_model = model  # False: the rules alone (the benchmark's baseline)
        # texts repeat (templates, answers given to many, an import's replies): masked once
        self._cached = functools.lru_cache(maxsize=4096)(self._mask)
        self.version = (
            f"natasha-{version('natasha')}+phonenumbers-{version('phonenumbers')}"
            f"-{leniency.lower()}+rules-{RULES_VERSION}{'' if model else '-no-model'}"
        )

    def model(self) -> _Model:
        global _MODEL  # one per process, however many maskers (each container builds one)
        with _LOADING:
            if _MODEL is None:
                _MODEL = _Model()
            return _MODEL

    def find(self, text: str) -> list[Span]:
        found = [
            *(Span(m.start(), m.end(), Label.EMAIL) for m in rules.EMAIL.finditer(text)),
            *self._phones(text),
            *(Span(m.start(), m.end(), Label.ADDRESS) for m in rules.ADDRESS.finditer(text)),
            *(Span(m.start(), m.end(), Label.NAME) for m in rules.INITIALS.finditer(text)),
            *self._names(text),
        ]
        return _resolve(found)

    def mask(self, text: str) -> Masked:
        return self._cached(text)

    def _mask(self, text: str) -> Masked:
        spans = self.find(text)
        out, last = [], 0
        for span in spans:
            out += [text[last : span.start], f"[{span.label.value}]"]
            last = span.end
        out.append(text[last:])
        return Masked(text="".join(out), spans=tuple(spans))

    def _phones(self, text: str) -> Iterator[Span]:
        for match in phonenumbers.PhoneNumberMatcher(text, "RU", leniency=self.leniency):
            yield Span(match.start, match.end, Label.PHONE)
        for local in rules.LOCAL_PHONE.finditer(text):
            yield Span(local.start(1), local.end(1), Label.PHONE)

    def _names(self, text: str) -> Iterator[Span]:
        if not self.use_model or not any(c.isupper() for c in text[1:]):
            return  # no capital past the first letter: no name to find (and no model to run)
        for start, end in self.model().persons(text):
            start = _skip_common_word(text, start, end)
            if sum(c.isalpha() for c in text[start:end]) < MIN_NAME_LETTERS:
                continue
            if rules.STREET_BEFORE.search(text[max(0, start - 20) : start]):
                continue  # «улица Гагарина», «школа имени Пушкина»: a street's or a school's name
            yield Span(start, end, Label.NAME)


# Capitalised only because a sentence starts with them: the model sometimes takes them in.
_COMMON = frozenset(
    [
        "соседка",
        "сосед",
        "соседи",
        "жительница",
        "житель",
        "гражданин",
        "гражданка",
        "заявитель",
        "заявительница",
        "прошу",
        "уважаемый",
        "уважаемая",
        "мой",
        "моя",
        "мои",
        "меня",
        "мне",
        "дочь",
        "сын",
        "мать",
        "отец",
        "муж",
        "жена",
        "внук",
        "внучка",
        "бабушка",
        "дедушка",
        "инспектор",
        "мастер",
        "дворник",
        "управляющий",
    ]
)


def _skip_common_word(text: str, start: int, end: int) -> int:
    words = text[start:end].split(maxsplit=1)
    if len(words) == 2 and words[0].lower() in _COMMON:
        return start + text[start:end].index(words[1])
    return start


def _resolve(found: list[Span]) -> list[Span]:
    """Non-overlapping spans in text order: of overlapping findings the higher-priority one wins,
    widened to cover the others (a phone is never left half shown)."""
    ordered = sorted(found, key=lambda s: (s.start, _PRIORITY[s.label]))
    merged: list[Span] = []
    for span in ordered:
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            label = min(last.label, span.label, key=_PRIORITY.__getitem__)
            merged[-1] = Span(last.start, max(last.end, span.end), label)
        else:
            merged.append(span)
    return merged
