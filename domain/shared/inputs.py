"""The input domain, declared once: what any command's texts, numbers and dates may hold.

Every command (and every struct nested in one) derives from :class:`Input` and types its fields
with the aliases below, so a new field gets the rules by being declared:

- texts refuse NUL, the other C0 controls but tab and line breaks, DEL, lone surrogates and the
  non-characters U+FFFE/U+FFFF (PostgreSQL text, JSON and the XLSX writer cannot hold them); a
  one-line text refuses tabs and line breaks too; every text has a maximum length; after decoding
  it is normalised to Unicode NFC and trimmed, and a text that is blank after trimming is refused
  (an optional one becomes absent);
- integers fit PostgreSQL's bigint and floats are finite;
- dates and times lie in the years ``EARLIEST_YEAR``..``LATEST_YEAR`` (business times are further
  held to "not ahead of now" by the deciders, which are handed the clock).

Events keep the lenient types they were written with: the log is forever, and an event accepted
under older, looser rules must still decode. Structs shared by commands and events (a citizen's
contact, a place, a post) therefore have a strict ``…Input`` subclass for commands, turned into
the plain struct with :func:`as_record` when it goes into an event.
"""

from __future__ import annotations

import contextlib
import enum
import math
import re
import unicodedata
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

import msgspec

from domain.shared.errors import InvalidCommand

# Characters no text may hold: C0 controls but tab, LF and CR; DEL; lone surrogates; U+FFFE/FFFF.
_FORBIDDEN = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F\uD800-\uDFFF\uFFFE\uFFFF"
TEXT_PATTERN = rf"^[^{_FORBIDDEN}]*$"
LINE_PATTERN = rf"^[^{_FORBIDDEN}\t\n\r\u2028\u2029]*$"

EARLIEST_YEAR = 2000  # no business date of a municipal control centre lies before this
LATEST_YEAR = 2100  # nor after this (planned fix dates, production calendars)
BIGINT_MAX = 2**63 - 1
MAX_COUNT = 10**12  # audiences, volumes: more than the planet, less than bigint

T = TypeVar("T")


def line(max_length: int, min_length: int = 1) -> msgspec.Meta:
    """A one-line text: a name, a topic, a code."""
    return msgspec.Meta(
        min_length=min_length,
        max_length=max_length,
        pattern=LINE_PATTERN,
        extra={"x-normalised": "NFC, trimmed; no control characters or line breaks"},
    )


def text(max_length: int, min_length: int = 1) -> msgspec.Meta:
    """A free text: line breaks and tabs allowed."""
    return msgspec.Meta(
        min_length=min_length,
        max_length=max_length,
        pattern=TEXT_PATTERN,
        extra={"x-normalised": "NFC, trimmed; no control characters but tab and line breaks"},
    )


Text = Annotated[str, text(20_000)]
ShortText = Annotated[str, line(500)]
Code = Annotated[str, line(100)]
Count = Annotated[int, msgspec.Meta(ge=0, le=MAX_COUNT)]
Url = Annotated[
    str,
    msgspec.Meta(
        min_length=8, max_length=2000, pattern=r"^https?://[^\s\x00-\x1F\x7F\uD800-\uDFFF]+$"
    ),
]


_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


def is_month(value: str) -> bool:
    """``value`` is a month ``YYYY-MM`` of the years ``EARLIEST_YEAR``..``LATEST_YEAR``."""
    found = _MONTH.fullmatch(value)
    return found is not None and EARLIEST_YEAR <= int(found[1]) <= LATEST_YEAR


class InputRefused(InvalidCommand, ValueError):
    """A value breaks the input domain: on decoding msgspec turns it into a ValidationError (a
    400); a command built in code with it is an InvalidCommand like any other rule's."""


def _unwrap(info: Any) -> Any:
    while isinstance(info, msgspec.inspect.Metadata):
        info = info.type
    return info


@dataclass(frozen=True, slots=True)
class _Field:
    """What ``normalise`` checks of one field (decoding checks the same; code does not)."""

    name: str
    optional: bool
    low: int = 0  # a text's (or each item's) least length
    high: int | None = None
    pattern: re.Pattern[str] | None = None
    bounds: tuple[float | None, float | None, float | None, float | None] = (None,) * 4


def _field(name: str, kind: Any) -> _Field:
    kind = _unwrap(kind)
    optional = False
    if isinstance(kind, msgspec.inspect.UnionType):
        optional = any(isinstance(t, msgspec.inspect.NoneType) for t in kind.types)
        kind = next((t for t in kind.types if not isinstance(t, msgspec.inspect.NoneType)), kind)
    kind = _unwrap(kind)
    if isinstance(kind, msgspec.inspect.VarTupleType | msgspec.inspect.ListType):
        kind = _unwrap(kind.item_type)
    if isinstance(kind, msgspec.inspect.StrType):
        pattern = re.compile(kind.pattern) if kind.pattern else None
        return _Field(name, optional, kind.min_length or 0, kind.max_length, pattern)
    if isinstance(kind, msgspec.inspect.IntType | msgspec.inspect.FloatType):
        return _Field(name, optional, bounds=(kind.ge, kind.le, kind.gt, kind.lt))
    return _Field(name, optional)


def _plan(cls: type[Any]) -> list[_Field]:
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    return [_field(field.name, field.type) for field in info.fields]


_PLANS: dict[type[Any], list[_Field]] = {}

# Values of these types hold no text, number or date to check: a UUID, a flag, a nested struct
# (checked by its own ``normalise``), an enum's member (one of its type's values).
_UNCHECKED: dict[type[Any], bool] = {bool: True, UUID: True}


def _unchecked(kind: type[Any]) -> bool:
    known = _UNCHECKED.get(kind)
    if known is None:
        known = _UNCHECKED[kind] = issubclass(kind, msgspec.Struct | enum.Enum | UUID)
    return known


def _clean_text(value: str, field: _Field) -> str:
    cleaned = unicodedata.normalize("NFC", value).strip()
    name = field.name
    if len(cleaned) < field.low:
        raise InputRefused(
            f"`{name}` is blank or shorter than {field.low} characters besides spaces"
        )
    if field.high is not None and len(cleaned) > field.high:
        raise InputRefused(f"`{name}` must hold at most {field.high} characters")
    if field.pattern is not None and not field.pattern.search(cleaned):
        raise InputRefused(f"`{name}` holds characters or a form it may not")
    return cleaned


def _check_scalar(value: object, field: _Field) -> None:
    name = field.name
    if isinstance(value, bool):
        return
    if isinstance(value, int) and not -BIGINT_MAX <= value <= BIGINT_MAX:
        raise InputRefused(f"`{name}` is out of range")
    if isinstance(value, float) and not math.isfinite(value):
        raise InputRefused(f"`{name}` must be a finite number")
    if isinstance(value, int | float):
        ge, le, gt, lt = field.bounds
        if (
            (ge is not None and value < ge)
            or (le is not None and value > le)
            or (gt is not None and value <= gt)
            or (lt is not None and value >= lt)
        ):
            raise InputRefused(f"`{name}` is out of range")
    if isinstance(value, date) and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        # a datetime's wall-clock year: ±14 h of offset cannot move it past the window's ends
        kind = "time" if isinstance(value, datetime) else "date"
        raise InputRefused(f"`{name}` must be a {kind} in the years {EARLIEST_YEAR}–{LATEST_YEAR}")


# Set while inputs are derived in code from inputs already checked and from the records of the
# organisation's books (a command completed with the directory's unit, the rubricator's codes, a
# registration number): their values need no second check (``derived``).
_DERIVED: ContextVar[bool] = ContextVar("otklik_derived_input", default=False)


@contextlib.contextmanager
def derived() -> Iterator[None]:
    """Inputs built in this block are derived from checked ones: not normalised again."""
    token = _DERIVED.set(True)
    try:
        yield
    finally:
        _DERIVED.reset(token)


def normalise(self: Any) -> None:
    """``__post_init__`` of every input struct: normalise texts, check the ranges (again, for a
    command built in code rather than decoded)."""
    if _DERIVED.get():
        return
    cls = type(self)
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _plan(cls)
    for field in plan:
        value = getattr(self, field.name)
        if value is not None and not _unchecked(type(value)):
            _normalise_field(self, field, value)  # None, a flag, an id: nothing to check


def _normalise_field(self: Any, field: _Field, value: object) -> None:
    name = field.name
    if type(value) is datetime:  # the commonest (every command's business time): its year only
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            _check_scalar(value, field)  # refused there, with the rule's words
        return
    if isinstance(value, str):
        if field.optional and not value.strip():
            msgspec.structs.force_setattr(self, name, None)
            return
        cleaned = _clean_text(value, field)
        if cleaned != value:
            msgspec.structs.force_setattr(self, name, cleaned)
    elif isinstance(value, tuple) and value and isinstance(value[0], str):
        cleaned_items = tuple(_clean_text(v, field) for v in value)
        if cleaned_items != value:
            msgspec.structs.force_setattr(self, name, cleaned_items)
    elif isinstance(value, tuple | frozenset):
        for item in value:
            _check_scalar(item, field)
    else:
        _check_scalar(value, field)


class Input(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of every command and request body: unknown fields refused, texts normalised."""

    def __post_init__(self) -> None:
        normalise(self)


def as_record(value: Any, record: type[T]) -> T:
    """The plain struct an event stores for a strict input struct (same fields, same JSON)."""
    return record(**msgspec.structs.asdict(value))
