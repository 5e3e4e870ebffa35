"""Grounds for leaving an appeal without an answer, per kind (issue 14, defects 3 and 8): 59-ФЗ
ст. 11 for appeals, the ЕПГУ rules for ПОС messages, the regional list for incidents and calls;
older ``AppealLeftWithoutAnswer`` events keep their meaning."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.decisions.grounds import ARTICLE11_PART_OF, DEFAULT_GROUNDS, POS_GROUNDS
from domain.appeals.state import fold
from domain.appeals.vocabulary import Article11Part, Channel, Kind, LegalGround, Outcome
from domain.shared.errors import RuleViolated
from infra.event_codec import decode_event
from tests.support.appeals import REGISTER, Scenario, receive

# (kind, channel, a ground of its own rules, a ground of another act, the act the refusal names)
KINDS = [
    (Kind.MESSAGE, Channel.POS, LegalGround.ADVERTISING_OR_SPAM, LegalGround.UNREADABLE, "1802"),
    (
        Kind.INCIDENT,
        Channel.VK,
        LegalGround.THIRD_PARTY_PERSONAL_DATA,
        LegalGround.COURT_DECISION,
        "региональный регламент",
    ),
    (
        Kind.CALL,
        Channel.PHONE,
        LegalGround.NO_PROBLEM_OR_PLACE,
        LegalGround.REPEATED_NO_NEW_ARGUMENTS,
        "региональный регламент",
    ),
]


@pytest.mark.parametrize(("kind", "channel", "own", "foreign", "act"), KINDS)
def test_defect_8_a_kind_is_left_unanswered_only_on_the_grounds_of_its_own_rules(
    kind: Kind, channel: Channel, own: LegalGround, foreign: LegalGround, act: str
) -> None:
    scenario = Scenario().given(receive(kind, channel), REGISTER)
    with pytest.raises(RuleViolated, match=f"{act}.*'{foreign}' is not a ground for .* {kind}"):
        scenario.when(cmd.LeaveWithoutAnswer(ground=foreign))
    events = scenario.when(cmd.LeaveWithoutAnswer(ground=own))
    assert isinstance(events[0], ev.AppealLeftWithoutAnswer) and events[0].ground is own
    assert isinstance(events[1], ev.AppealClosed)
    assert events[1].outcome is Outcome.LEFT_WITHOUT_ANSWER


@pytest.mark.parametrize("ground", sorted(DEFAULT_GROUNDS[Kind.APPEAL]))
def test_defect_3_an_appeal_is_not_left_unanswered_without_its_parts_decision(
    ground: LegalGround,
) -> None:
    """The old command records no notice and no term: for a 59-ФЗ appeal it names the part."""
    scenario = Scenario().given(receive(Kind.APPEAL, Channel.LETTER), REGISTER)
    part = ARTICLE11_PART_OF[ground]
    with pytest.raises(RuleViolated, match=rf"ст\.11 ч\.{part} 59-ФЗ: .* by the decision"):
        scenario.when(cmd.LeaveWithoutAnswer(ground=ground))


def test_defect_3_the_answer_already_published_ground_is_part_5_1_and_part_6_exists() -> None:
    assert ARTICLE11_PART_OF[LegalGround.ANSWER_ALREADY_PUBLISHED] is Article11Part.PART_5_1
    assert ARTICLE11_PART_OF[LegalGround.PROTECTED_INFORMATION] is Article11Part.PART_6
    assert set(ARTICLE11_PART_OF.values()) == set(Article11Part)  # one ground per part
    assert LegalGround.ANSWER_ALREADY_PUBLISHED not in POS_GROUNDS


def test_the_stored_grounds_keep_their_values() -> None:
    stored = {
        "no_address",
        "obscenity_or_threats",
        "unreadable",
        "essence_unclear",
        "repeated_no_new_arguments",
        "court_decision",
        "answer_already_published",
    }
    assert stored <= {g.value for g in LegalGround}


def test_an_old_left_without_answer_event_decodes_and_folds_the_same() -> None:
    """An appeal left without an answer before issue 14 (the ground the old label called ч.4)
    decodes from its stored form and folds as it did."""
    at = datetime(2025, 12, 30, 7, 0, tzinfo=UTC)
    received = Scenario(start=at).given(receive(Kind.APPEAL, Channel.LETTER)).events
    envelope = {
        k: v
        for k, v in msgspec.to_builtins(received[0]).items()
        if k in ev.AppealEvent.__struct_fields__
    }
    stored = [
        ("AppealLeftWithoutAnswer", {"ground": "answer_already_published", "comment": None}),
        ("AppealClosed", {"outcome": "left_without_answer", "comment": None}),
    ]
    old = [
        decode_event(topic, msgspec.json.encode({**envelope, **body, "originator_version": v}))
        for v, (topic, body) in enumerate(stored, start=2)
    ]
    state = fold([*received, *old])
    assert state is not None and state.is_closed
    assert state.left_without_answer_ground is LegalGround.ANSWER_ALREADY_PUBLISHED
    assert state.outcome is Outcome.LEFT_WITHOUT_ANSWER
    assert state.article11_part is None and state.notice_due is None and not state.notice_owed
