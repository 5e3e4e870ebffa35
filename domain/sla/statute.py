"""The statutory floor and ceiling of each term a policy may set, and the guard that refuses a
policy lengthening one (a policy may shorten a statutory term, never lengthen it).

Where the terms come from: 59-ФЗ for appeals (confirmed, cited by article and part); the ЕПГУ
rules (ПП РФ № 1802) for ПОС messages, whose text could not be confirmed here, so their ceilings
are configurable defaults marked as such; incidents and calls have no federal act, so theirs are
the region's choices (configurable, marked as regional). A deployment passes its own ceilings to
the policy book (``PolicyBook(..., ceilings=...)``); the 59-ФЗ ones are not to be relaxed.

Comparing terms in different units (``longest_days`` / ``shortest_days``): a rule is within a
ceiling when the longest calendar span the rule can take is no longer than the shortest span the
ceiling can take. In the same unit the amounts compare directly. Across units the conversion is
conservative, in the citizen's favour: N working days can take N·7/5 calendar days (the week's
rhythm), rounded up, plus the longest run of holidays the production calendar holds (the New Year
holidays: up to ``LONGEST_HOLIDAYS`` days); N working hours take at least N/7 working days (a
shortened day has 7 hours); N calendar days hold at most N working days. So 30 calendar days
(ст.12 ч.1) admit at most 13 working days, and 10 working days are refused under a ceiling of
10 calendar days while 10 calendar days pass under a ceiling of 10 working days.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import msgspec

from domain.appeals.vocabulary import Deadline, Kind
from domain.shared.errors import InvalidCommand
from domain.sla.policy import DeadlineRule, Unit

LONGEST_HOLIDAYS = 11  # 1–11.01.2026: the New Year holidays with their weekends and transfers
_HOURS_IN_SHORTEST_DAY = 7  # a pre-holiday working day is shortened by one hour
# The anchors in the order an appeal meets them: counting from a later one lengthens the term.
ANCHOR_ORDER = ("AppealReceived", "AppealRegistered")


class Ceiling(msgspec.Struct, frozen=True, kw_only=True):
    """The longest term a policy may set for one deadline of some kinds, counted from ``anchor``
    at the latest, and the act that sets it (``source``: the article and part, or why it is a
    configurable default)."""

    deadline: Deadline
    kinds: frozenset[Kind]
    anchor: str
    amount: int
    unit: Unit
    source: str
    statutory: bool = True  # False: a regional choice or an unconfirmed default, configurable


_59 = "59-ФЗ"
_POS = "ПП РФ № 1802 (правила ЕПГУ): значение по умолчанию, текст не подтверждён, настраивается"
_REGION = "региональный регламент: значение по умолчанию, настраивается"

CEILINGS: tuple[Ceiling, ...] = (
    Ceiling(
        deadline=Deadline.REGISTER,
        kinds=frozenset({Kind.APPEAL}),
        anchor="AppealReceived",
        amount=3,
        unit=Unit.CALENDAR_DAYS,
        source=f"ст.8 ч.2 {_59}: обращение регистрируется в течение трёх дней с момента поступления",
    ),
    Ceiling(
        deadline=Deadline.FORWARD,
        kinds=frozenset({Kind.APPEAL}),
        anchor="AppealRegistered",
        amount=7,
        unit=Unit.CALENDAR_DAYS,
        source=f"ст.8 ч.3 {_59}: переадресация в течение семи дней со дня регистрации",
    ),
    Ceiling(
        deadline=Deadline.ANSWER,
        kinds=frozenset({Kind.APPEAL}),
        anchor="AppealRegistered",
        amount=30,
        unit=Unit.CALENDAR_DAYS,
        source=f"ст.12 ч.1 {_59}: обращение рассматривается в течение 30 дней со дня регистрации",
    ),
    Ceiling(
        deadline=Deadline.REGISTER,
        kinds=frozenset({Kind.MESSAGE}),
        anchor="AppealReceived",
        amount=1,
        unit=Unit.WORKING_DAYS,
        source=_POS,
        statutory=False,
    ),
    Ceiling(
        deadline=Deadline.ANSWER,
        kinds=frozenset({Kind.MESSAGE}),
        anchor="AppealRegistered",
        amount=10,
        unit=Unit.CALENDAR_DAYS,
        source=_POS,
        statutory=False,
    ),
    *(
        Ceiling(
            deadline=deadline,
            kinds=frozenset({kind}),
            anchor=anchor,
            amount=amount,
            unit=unit,
            source=_REGION,
            statutory=False,
        )
        for deadline, kind, anchor, amount, unit in (
            (Deadline.REGISTER, Kind.INCIDENT, "AppealReceived", 1, Unit.WORKING_DAYS),
            (Deadline.FIRST_REACTION, Kind.INCIDENT, "AppealReceived", 8, Unit.WORKING_HOURS),
            (Deadline.ANSWER, Kind.INCIDENT, "AppealRegistered", 7, Unit.WORKING_DAYS),
            (Deadline.REGISTER, Kind.CALL, "AppealReceived", 1, Unit.WORKING_DAYS),
            (Deadline.ANSWER, Kind.CALL, "AppealRegistered", 10, Unit.CALENDAR_DAYS),
        )
    ),
)
MAX_EXTENSION_DAYS = 30
EXTENSION_SOURCE = f"ст.12 ч.2 {_59}: срок рассмотрения продлевается не более чем на 30 дней"


def longest_days(amount: int, unit: Unit) -> int:
    """The longest calendar span a term of ``amount`` ``unit`` can take."""
    if unit is Unit.CALENDAR_DAYS:
        return amount
    working_days = (
        amount if unit is Unit.WORKING_DAYS else math.ceil(amount / _HOURS_IN_SHORTEST_DAY)
    )
    return math.ceil(working_days * 7 / 5) + LONGEST_HOLIDAYS


def shortest_days(amount: int, unit: Unit) -> int:
    """The shortest calendar span a term of ``amount`` ``unit`` can take (every day working)."""
    if unit is Unit.WORKING_HOURS:
        return amount // 24
    return amount


def within(rule: DeadlineRule, ceiling: Ceiling) -> bool:
    """Whether ``rule`` is never longer than ``ceiling`` (see the module's docstring)."""
    if _later(rule.anchor, ceiling.anchor):
        return False
    if rule.unit is ceiling.unit:
        return rule.amount <= ceiling.amount
    if rule.unit is Unit.CALENDAR_DAYS and ceiling.unit is Unit.WORKING_DAYS:
        return rule.amount <= ceiling.amount  # N calendar days hold at most N working days
    return longest_days(rule.amount, rule.unit) <= shortest_days(ceiling.amount, ceiling.unit)


def _later(anchor: str, limit: str) -> bool:
    """Counting from ``anchor`` starts later than from ``limit`` (an unknown anchor: later)."""
    if anchor not in ANCHOR_ORDER:
        return anchor != limit
    return limit in ANCHOR_ORDER and ANCHOR_ORDER.index(anchor) > ANCHOR_ORDER.index(limit)


def check(
    rules: Iterable[DeadlineRule], max_extension_days: int, ceilings: Iterable[Ceiling] = CEILINGS
) -> None:
    """Refuse a policy that lengthens a term beyond its ceiling, naming the act that sets it."""
    if max_extension_days > MAX_EXTENSION_DAYS:
        raise InvalidCommand(
            f"{EXTENSION_SOURCE}; the policy allows {max_extension_days} (59-ФЗ allows an"
            " extension of 30 days at most, in all)"
        )
    ceilings = tuple(ceilings)
    for rule in rules:
        if rule.amount < 1:  # the floor: a term of nothing is no term
            raise InvalidCommand(f"the {rule.deadline} rule needs an amount of at least 1")
        for ceiling in ceilings:
            if ceiling.deadline is not rule.deadline or not rule.kinds & ceiling.kinds:
                continue
            if not within(rule, ceiling):
                kinds = ", ".join(sorted(rule.kinds & ceiling.kinds))
                raise InvalidCommand(
                    f"{ceiling.source}: the {rule.deadline} rule for {kinds}"
                    f" ({rule.describe()}) is longer than {ceiling.amount} {ceiling.unit}"
                    f" from {ceiling.anchor}; a policy may shorten a term, never lengthen it"
                )
