"""The rubricator's decider, given these events, when this command, then these events or this
error: codes are never reused, a rename keeps the former name, the most specific routing rule
wins; and the file's difference from the rubricator."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from domain.rubricator.commands import (
    AddRubric,
    Change,
    ClearRoute,
    PublishRubricator,
    RenameRubric,
    RetireRubric,
    SetRoute,
)
from domain.rubricator.decide import decide
from domain.rubricator.diff import Desired, DesiredRoute, DesiredRubric, changes_towards
from domain.rubricator.events import (
    Level,
    RoutingRuleSet,
    RubricAdded,
    RubricatorEvent,
    RubricatorVersionPublished,
    Source,
)
from domain.rubricator.state import Rubricator, evolve
from domain.shared.actors import Actor, Role
from domain.shared.errors import Forbidden, InvalidCommand
from domain.shared.handler import Decision

ADMIN = Actor(id="admin-1", role=Role.ADMINISTRATOR, name="Администратор")
STREAM = uuid.uuid4()
JAN, MAR = date(2026, 1, 1), date(2026, 3, 1)

BASE: tuple[Change, ...] = (
    AddRubric(code="0003", name="Экономика", level=Level.SECTION),
    AddRubric(code="0003.0009", name="Хозяйственная деятельность", level=Level.THEME, parent="0003"),
    AddRubric(code="0003.0009.0097", name="Градостроительство и архитектура", level=Level.TOPIC,
              parent="0003.0009"),
    AddRubric(code="0003.0009.0097.0690", name="Уличное освещение", level=Level.QUESTION,
              parent="0003.0009.0097"),
    AddRubric(code="0003.0009.0097.0692", name="Озеленение", level=Level.QUESTION,
              parent="0003.0009.0097"),
)  # fmt: skip


def when(
    state: Rubricator | None, *changes: Change, on: date = JAN, actor: Actor = ADMIN
) -> list[RubricatorEvent]:
    command = PublishRubricator(changes=changes, label="Версия", effective_from=on)
    # the stream's version only numbers the events; the rubricator's own is in the state
    at = Decision(stream_id=STREAM, version=0, actor=actor, now=datetime.now(UTC))
    return decide(state, command, at)


def given(*batches: tuple[tuple[Change, ...], date]) -> Rubricator:
    state: Rubricator | None = None
    for changes, on in batches:
        for event in when(state, *changes, on=on):
            state = evolve(state, event)
    assert state is not None
    return state


def test_a_version_appends_its_changes_then_its_publication_stamped_alike() -> None:
    events = when(None, *BASE)
    assert [type(e) for e in events] == [RubricAdded] * 5 + [RubricatorVersionPublished]
    assert {(e.version, e.effective_from) for e in events} == {(1, JAN)}
    assert [e.originator_version for e in events] == list(range(1, 7))


def test_a_code_once_used_is_never_reused_even_retired() -> None:
    state = given((BASE, JAN), ((RetireRubric(code="0003.0009.0097.0692"),), MAR))
    again = AddRubric(code="0003.0009.0097.0692", name="Озеленение дворов",
                      level=Level.QUESTION, parent="0003.0009.0097")  # fmt: skip
    with pytest.raises(InvalidCommand, match="codes are never reused"):
        when(state, again, on=MAR)


def test_an_entry_needs_a_parent_in_force_one_level_up() -> None:
    orphan = AddRubric(code="0005.0005", name="Жилище", level=Level.THEME, parent="0005")
    with pytest.raises(InvalidCommand, match="change 1: the parent 0005 is not in the rubricator"):
        when(None, orphan)
    state = given((BASE, JAN))
    skipping = AddRubric(code="M.01", name="Ямы", level=Level.QUESTION, parent="0003.0009",
                         source=Source.MUNICIPAL)  # fmt: skip
    with pytest.raises(InvalidCommand, match="cannot sit under a theme"):
        when(state, skipping)


def test_a_classifier_code_says_its_parent_and_a_municipal_code_its_prefix() -> None:
    state = given((BASE, JAN))
    misplaced = AddRubric(code="0003.0009.0099", name="Транспорт", level=Level.TOPIC,
                          parent="0003.0009.0097")  # fmt: skip
    with pytest.raises(InvalidCommand, match=r"the parent of 0003\.0009\.0099 is 0003\.0009"):
        when(state, AddRubric(code="0003.0009.0097.0001", name="x", level=Level.QUESTION,
                              parent="0003.0009.0097"), misplaced)  # fmt: skip
    local = AddRubric(code="0003.0009.0097.9001", name="Ямы", level=Level.QUESTION,
                      parent="0003.0009.0097", source=Source.MUNICIPAL)  # fmt: skip
    with pytest.raises(InvalidCommand, match=r"a municipal code is 'M\.'"):
        when(state, local)


def test_a_rename_keeps_the_former_name_for_dates_before_it_and_for_resolving() -> None:
    renamed = RenameRubric(code="0003.0009.0097.0690", name="Наружное освещение")
    state = given((BASE, JAN), ((renamed,), MAR))
    assert state.name_of("0003.0009.0097.0690", date(2026, 2, 1)) == "Уличное освещение"
    assert state.name_of("0003.0009.0097.0690", MAR) == "Наружное освещение"
    entry = state.entry("0003.0009.0097.0690")
    assert entry is not None and entry.former_names == ("Уличное освещение",)
    assert state.resolve("  уличное   ОСВЕЩЕНИЕ ") == "0003.0009.0097.0690"


def test_an_entry_is_not_in_force_before_its_version_nor_after_its_retirement() -> None:
    retire = RetireRubric(code="0003.0009.0097.0692")
    state = given((BASE, JAN), ((retire,), MAR))
    assert state.entry("0003.0009.0097.0692", date(2025, 12, 31)) is None
    assert state.entry("0003.0009.0097.0692", date(2026, 2, 1)) is not None
    assert state.entry("0003.0009.0097.0692", MAR) is None
    assert state.children("0003.0009.0097") == ["0003.0009.0097.0690"]
    assert state.name_of("0003.0009.0097.0692") == "Озеленение"  # old appeals keep their name


def test_a_section_with_entries_in_force_under_it_cannot_be_retired() -> None:
    with pytest.raises(InvalidCommand, match="retire them first"):
        when(given((BASE, JAN)), RetireRubric(code="0003.0009.0097"))


def test_routing_takes_the_most_specific_rule_municipality_before_general() -> None:
    rules = (
        SetRoute(code="0003", unit_id="ublag"),
        SetRoute(code="0003.0009.0097.0690", unit_id="mbu-gorsvet"),
        SetRoute(code="0003.0009.0097", unit_id="north-blag", municipality="north"),
    )
    state = given((BASE, JAN), (rules, JAN))
    assert state.route("0003.0009.0097.0690") == "mbu-gorsvet"  # its own rule
    assert state.route("0003.0009.0097.0690", "north") == "mbu-gorsvet"  # own before parent's
    assert state.route("0003.0009.0097.0692") == "ublag"  # the section's
    assert state.route("0003.0009.0097.0692", "north") == "north-blag"  # the topic's, there
    assert state.route("0003.0009.0097.0692", "south") == "ublag"
    assert state.route("0005.0005") is None


def test_a_cleared_rule_falls_back_to_the_parents() -> None:
    rules = (SetRoute(code="0003", unit_id="ublag"), SetRoute(code="0003.0009", unit_id="udh"))
    state = given((BASE, JAN), (rules, JAN), ((ClearRoute(code="0003.0009"),), MAR))
    assert state.route("0003.0009.0097.0690") == "ublag"


def test_a_change_that_changes_nothing_is_refused() -> None:
    state = given((BASE, JAN), ((SetRoute(code="0003", unit_id="ublag"),), JAN))
    with pytest.raises(InvalidCommand, match="already routed"):
        when(state, SetRoute(code="0003", unit_id="ublag"))
    with pytest.raises(InvalidCommand, match="already named so"):
        when(state, RenameRubric(code="0003", name="Экономика"))


def test_a_version_cannot_take_effect_before_the_previous_one() -> None:
    state = given((BASE, MAR))
    with pytest.raises(InvalidCommand, match="cannot take effect before it"):
        when(state, RenameRubric(code="0003", name="Экономика и хозяйство"), on=JAN)


def test_only_an_administrator_changes_the_rubricator() -> None:
    from domain.rubricator.decide import authorise

    analyst = Actor(id="a", role=Role.ANALYST, name="Аналитик")
    command = PublishRubricator(changes=BASE, label="Версия", effective_from=JAN)
    with pytest.raises(Forbidden, match="only an administrator"):
        authorise(None, command, analyst)


def test_resolve_prefers_the_deepest_of_one_branch_and_refuses_two_branches() -> None:
    same = (
        AddRubric(code="0003.0009.0104", name="Ритуальные услуги", level=Level.TOPIC,
                  parent="0003.0009"),
        AddRubric(code="0003.0009.0104.0778", name="Ритуальные услуги", level=Level.QUESTION,
                  parent="0003.0009.0104"),
        AddRubric(code="0003.0009.0097.0778", name="Озеленение", level=Level.QUESTION,
                  parent="0003.0009.0097"),
    )  # fmt: skip
    state = given((BASE, JAN), (same, JAN))
    assert state.resolve("ритуальные услуги") == "0003.0009.0104.0778"
    assert state.resolve("Озеленение") is None  # two branches: ambiguous
    assert state.resolve("Несуществующая тема") is None


def test_suggest_finds_names_by_their_words() -> None:
    local = AddRubric(code="M.03", name="Вывоз мусора: не вывезены контейнеры",
                      level=Level.QUESTION, parent="0003.0009.0097", source=Source.MUNICIPAL)  # fmt: skip
    state = given((BASE, JAN), ((local,), JAN))
    assert state.suggest("не вывозят мусор", 2)[0] == "M.03"
    assert state.suggest("", 3) == []


def _desired(name: str = "Уличное освещение", unit: str = "mbu-gorsvet") -> Desired:
    rubrics = [
        DesiredRubric(code=c.code, name=c.name, level=c.level, parent=c.parent, source=c.source)
        for c in BASE
        if isinstance(c, AddRubric)
    ]
    rubrics[3] = DesiredRubric(code="0003.0009.0097.0690", name=name, level=Level.QUESTION,
                               parent="0003.0009.0097", source=Source.CLASSIFIER)  # fmt: skip
    return Desired(
        rubrics=tuple(rubrics), routes=(DesiredRoute(code="0003.0009.0097.0690", unit_id=unit),)
    )


def test_the_difference_from_an_equal_rubricator_is_nothing() -> None:
    state = given((tuple(changes_towards(Rubricator(), _desired())), JAN))
    assert changes_towards(state, _desired()) == []


def test_one_renamed_entry_in_the_file_is_one_rename() -> None:
    state = given((tuple(changes_towards(Rubricator(), _desired())), JAN))
    assert changes_towards(state, _desired(name="Наружное освещение")) == [
        RenameRubric(code="0003.0009.0097.0690", name="Наружное освещение")
    ]


def test_entries_missing_from_the_file_are_retired_children_first() -> None:
    state = given((tuple(changes_towards(Rubricator(), _desired())), JAN))
    fewer = Desired(rubrics=_desired().rubrics[:3])
    assert changes_towards(state, fewer) == [
        ClearRoute(code="0003.0009.0097.0690"),
        RetireRubric(code="0003.0009.0097.0690"),
        RetireRubric(code="0003.0009.0097.0692"),
    ]


def test_a_file_that_lists_a_retired_code_is_refused() -> None:
    state = given((BASE, JAN), ((RetireRubric(code="0003.0009.0097.0692"),), MAR))
    with pytest.raises(InvalidCommand, match="codes are never"):
        changes_towards(state, _desired())


def test_a_published_route_is_an_event_with_its_scope() -> None:
    (event, _published) = when(
        given((BASE, JAN)), SetRoute(code="0003", unit_id="ublag", municipality="north")
    )
    assert isinstance(event, RoutingRuleSet) and event.municipality == "north"
