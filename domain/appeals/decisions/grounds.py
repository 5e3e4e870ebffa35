"""Which grounds for leaving an appeal without an answer each kind allows, and the act that sets
them: 59-ФЗ ст. 11 for appeals, the ЕПГУ rules for ПОС messages, the regional regulation for
incidents and calls."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from domain.appeals.vocabulary import Article11Part, Kind, LegalGround
from domain.shared.errors import RuleViolated

# 59-ФЗ ст. 11: each part's ground (ч.2 and ч.5.1 were mislabelled before issue 14 only in a
# comment; the stored values keep their meaning).
PART_GROUNDS: Mapping[Article11Part, LegalGround] = MappingProxyType(
    {
        Article11Part.PART_1: LegalGround.NO_ADDRESS,
        Article11Part.PART_2: LegalGround.COURT_DECISION,
        Article11Part.PART_3: LegalGround.OBSCENITY_OR_THREATS,
        Article11Part.PART_4: LegalGround.UNREADABLE,
        Article11Part.PART_4_1: LegalGround.ESSENCE_UNCLEAR,
        Article11Part.PART_5: LegalGround.REPEATED_NO_NEW_ARGUMENTS,
        Article11Part.PART_5_1: LegalGround.ANSWER_ALREADY_PUBLISHED,
        Article11Part.PART_6: LegalGround.PROTECTED_INFORMATION,
    }
)
ARTICLE11_PART_OF: Mapping[LegalGround, Article11Part] = MappingProxyType(
    {ground: part for part, ground in PART_GROUNDS.items()}
)

# The ЕПГУ rules (ПП РФ № 1802 of 10.11.2020 and its amendments) for ПОС messages. The list is
# the platform's public rules as legal.md gives them; its wording could not be confirmed from the
# act's text, so it is a configurable default (``GroundsByKind``), not a constant of the law.
POS_GROUNDS = frozenset(
    {
        LegalGround.NO_PROBLEM_OR_PLACE,
        LegalGround.THIRD_PARTY_PERSONAL_DATA,
        LegalGround.ADVERTISING_OR_SPAM,
        LegalGround.OBSCENITY_OR_THREATS,  # нецензурные либо оскорбительные выражения
    }
)

ACTS: Mapping[Kind, str] = MappingProxyType(
    {
        Kind.APPEAL: "ст.11 59-ФЗ",
        Kind.MESSAGE: "правила ЕПГУ (ПП РФ № 1802 от 10.11.2020)",
        Kind.INCIDENT: "региональный регламент",
        Kind.CALL: "региональный регламент",
    }
)

GroundsByKind = Mapping[Kind, frozenset[LegalGround]]

# Defaults: the law's for appeals and messages; incidents and calls follow the regional
# regulation, whose default here is the ПОС list (a regional choice, configurable).
DEFAULT_GROUNDS: GroundsByKind = MappingProxyType(
    {
        Kind.APPEAL: frozenset(PART_GROUNDS.values()),
        Kind.MESSAGE: POS_GROUNDS,
        Kind.INCIDENT: POS_GROUNDS,
        Kind.CALL: POS_GROUNDS,
    }
)


def require_ground_of_kind(
    ground: LegalGround, kind: Kind, grounds: GroundsByKind = DEFAULT_GROUNDS
) -> None:
    """Refuses a ground the act governing ``kind`` does not give, naming that act."""
    allowed = grounds.get(kind, frozenset())
    if ground not in allowed:
        listed = ", ".join(sorted(allowed)) or "none"
        raise RuleViolated(
            f"{ACTS[kind]}: '{ground}' is not a ground for leaving a {kind} without an answer;"
            f" allowed: {listed}"
        )
