"""The API's bodies and the domain's structs they map to: the mapping is by field name
(``api.schemas.common.mirror``), so each pair must name the same fields. When the domain renames
one, this test names the pair whose mapping must now be written by hand; the public contract
stays as it was."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from api.schemas import (
    appeals,
    calendar,
    claims,
    deadlines,
    directory,
    methodologies,
    rubricator,
    sla,
)
from api.schemas.appeal_commands import LIFECYCLE, RECEIVE, CitizenContactInput, PlaceInput
from api.schemas.claims import ACTIONS, DETECT, SourcePostInput
from api.schemas.common import Action
from domain.appeals import commands as appeal_cmd
from domain.appeals import events as appeal_events
from domain.appeals.appeal_state import InformationRequest
from domain.appeals.state import AppealState, Breach
from domain.audit import history
from domain.claims import commands as claim_cmd
from domain.claims import events as claim_events
from domain.claims.state import ClaimState
from domain.organisation import commands as organisation_commands
from domain.ratings import methodology
from domain.rubricator import commands as rubricator_commands
from domain.shared.actors import Actor
from domain.sla import book, policy, status
from domain.sla import calendar as production_calendar

APPEAL_ACTIONS: tuple[Action[Any, Any], ...] = (RECEIVE, *LIFECYCLE)
CLAIM_ACTIONS: tuple[Action[Any, Any], ...] = (DETECT, *ACTIONS)

# (the API's body, the domain's struct): requests map to commands, states map to responses.
# The directory's and the rubricator's changes (issue 15), each tagged by ``op``: the API's body
# and the domain's command, one pair per change.
ORGANISATION_PAIRS: list[tuple[type[Any], type[Any]]] = [
    *(
        (getattr(directory, name), getattr(organisation_commands, name))
        for name in (
            "CreateUnit",
            "RenameUnit",
            "MoveUnit",
            "MergeUnit",
            "CloseUnit",
            "AddAlias",
            "RegisterPerson",
            "RenamePerson",
            "SetEmail",
            "Appoint",
            "Relieve",
            "ChangeDirectory",
        )
    ),
    *(
        (getattr(rubricator, name), getattr(rubricator_commands, name))
        for name in ("AddRubric", "RenameRubric", "RetireRubric", "SetRoute", "ClearRoute")
    ),
]
PAIRS: list[tuple[type[Any], type[Any]]] = [
    *ORGANISATION_PAIRS,
    *((a.request, a.command) for a in (*APPEAL_ACTIONS, *CLAIM_ACTIONS)),
    (CitizenContactInput, appeal_cmd.CitizenContactInput),
    (PlaceInput, appeal_cmd.PlaceInput),
    (SourcePostInput, claim_cmd.SourcePostInput),
    (calendar.CorrectDay, book.CorrectDay),
    (sla.PublishPolicy, book.PublishPolicy),
    (sla.DeadlineRuleInput, book.DeadlineRuleInput),
    (methodologies.Weight, methodology.Weight),
    (methodologies.InForce, methodology.InForce),
    (appeals.AppealState, AppealState),
    (appeals.Place, appeal_events.Place),
    (appeals.Breach, Breach),
    (appeals.InformationRequest, InformationRequest),
    (appeals.CitizenContact, appeal_events.CitizenContact),
    (appeals.HistoryStep, history.HistoryStep),
    (appeals.Actor, Actor),
    (appeals.Change, history.Change),
    (appeals.Applied, history.Applied),
    (deadlines.DeadlineView, status.DeadlineView),
    (deadlines.DeadlineChange, status.DeadlineChange),
    (deadlines.TimeLeft, status.TimeLeft),
    (deadlines.Provenance, policy.Provenance),
    (deadlines.Anchor, policy.Anchor),
    (claims.ClaimState, ClaimState),
    (claims.SourcePost, claim_events.SourcePost),
    (sla.SlaPolicy, policy.SlaPolicy),
    (sla.DeadlineRule, policy.DeadlineRule),
    (methodologies.Methodology, methodology.Methodology),
    (calendar.CalendarDay, production_calendar.CalendarDay),
    (calendar.MonthSummary, production_calendar.MonthSummary),
]


@pytest.mark.parametrize(("body", "domain"), PAIRS, ids=lambda t: t.__qualname__)
def test_a_body_and_the_domain_struct_it_maps_to_name_the_same_fields(
    body: type[msgspec.Struct], domain: type[msgspec.Struct]
) -> None:
    assert body is not domain
    assert body.__struct_fields__ == domain.__struct_fields__


def test_a_new_methodology_is_the_publication_under_its_id() -> None:
    fields = methodologies.NewMethodology.__struct_fields__
    assert fields == (*methodology.PublishMethodology.__struct_fields__, "id")


def test_every_command_has_one_route_and_every_route_its_own_name() -> None:
    commands = [a.command for a in APPEAL_ACTIONS]
    assert set(commands) == {appeal_cmd.ReceiveAppeal, *appeal_cmd.LIFECYCLE_COMMANDS}
    assert len(set(commands)) == len(commands)
    claim_commands = [a.command for a in CLAIM_ACTIONS]
    assert set(claim_commands) == {claim_cmd.DetectClaim, *claim_cmd.CLAIM_COMMANDS}
    for table in (APPEAL_ACTIONS, CLAIM_ACTIONS):
        names = [a.name for a in table]
        assert len(set(names)) == len(names)


def test_the_routes_the_system_role_may_call_record_breaches_only() -> None:
    system = {a.command for a in (*APPEAL_ACTIONS, *CLAIM_ACTIONS) if a.system}
    assert system == {appeal_cmd.RecordDeadlineBreach, claim_cmd.RecordNormBreach}


def test_a_request_maps_to_its_command_with_the_same_values() -> None:
    sent = {
        "kind": "message",
        "channel": "letter",
        "text": " ма  ",
        "place": {"address": "ул. Ленина, 1"},
        "citizen": {"phone": "+7 900"},
    }
    body = msgspec.json.decode(msgspec.json.encode(sent), type=RECEIVE.request)
    command = RECEIVE.to_command(body)
    assert isinstance(command, appeal_cmd.ReceiveAppeal)
    assert command.text == "ма"
    assert command.place == appeal_cmd.PlaceInput(address="ул. Ленина, 1")
    assert command.citizen == appeal_cmd.CitizenContactInput(phone="+7 900")
    assert msgspec.json.encode(command) == msgspec.json.encode(body)
