"""The input domain at the type level: what the issue's reproducers sent is refused on decoding,
texts come out normalised, and a new field gets the rules by being declared."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from domain.appeals import commands as cmd
from domain.claims import commands as claim_cmd
from domain.ratings.methodology import PublishMethodology
from domain.sla.book import CorrectDay, PublishPolicy

SOURCE = {"url": "https://vk.com/wall-1_2", "channel": "vk", "first_seen": "2026-03-01T10:00:00Z"}


def refused(cls: type[Any], body: dict[str, Any]) -> str:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.json.decode(msgspec.json.encode(body), type=cls)
    return str(caught.value)


@pytest.mark.parametrize(
    ("cls", "body"),
    [
        (cmd.CategoriseAppeal, {"topic": "t\x00x", "essence": "e"}),
        (cmd.AssignAppeal, {"department": "Управление\x00ЖКХ"}),
        (cmd.RegisterAppeal, {"registration_number": "О-1\x00"}),
        (claim_cmd.DetectClaim, {"text": "фейк\x00", "sources": [SOURCE]}),
        (claim_cmd.DetectClaim, {"text": "фейк", "sources": [{**SOURCE, "reach": 2**64 - 1}]}),
        (
            claim_cmd.DetectClaim,
            {"text": "фейк", "sources": [{**SOURCE, "first_seen": "0001-01-01T00:00:00Z"}]},
        ),
        (CorrectDay, {"day": "9999-12-31", "kind": "holiday", "reason": "xyz"}),
        (CorrectDay, {"day": "0001-01-01", "kind": "holiday", "reason": "xyz"}),
        (
            cmd.ForwardAppeal,
            {"to_body": "МВД", "reason": "r", "citizen_notified_at": "0001-01-01T00:00:00+14:00"},
        ),
        (cmd.PauseAppeal, {"reason": "ждём", "occurred_at": "0001-01-01T00:00:00Z"}),
        (cmd.CategoriseAppeal, {"topic": "   ", "essence": "e"}),
        (cmd.CategoriseAppeal, {"topic": "две\nстроки", "essence": "e"}),
        (cmd.CategoriseAppeal, {"topic": "t", "essence": "e", "tags": ["\x07"]}),
        (PublishMethodology, {"title": "Заголовок\x00", "weights": [], "note": "abc"}),
    ],
)
def test_what_the_read_models_cannot_hold_is_refused_on_decoding(
    cls: type[Any], body: dict[str, Any]
) -> None:
    message = refused(cls, body)
    assert "\x00" not in message and "Управление" not in message


def test_a_lone_surrogate_given_in_code_is_refused() -> None:
    with pytest.raises(ValueError, match=r"regex|surrogate"):
        msgspec.convert({"topic": "a\ud800", "essence": "e"}, cmd.CategoriseAppeal)


def test_texts_are_normalised_to_nfc_and_trimmed() -> None:
    decoded = msgspec.json.decode(
        '{"topic": "  Освещение ", "essence": "Не горит фонарь; е\u0308лка  ", "tags": [" свет "]}',
        type=cmd.CategoriseAppeal,
    )
    assert decoded.topic == "Освещение"
    assert decoded.essence == "Не горит фонарь; ёлка"
    assert decoded.tags == ("свет",)


def test_a_blank_optional_text_becomes_absent_and_a_blank_required_one_is_refused() -> None:
    decoded = msgspec.json.decode(b'{"comment": "   "}', type=cmd.ApproveAnswer)
    assert decoded.comment is None
    assert "blank" in refused(cmd.DraftAnswer, {"text": " \n\t "})


def test_nested_contacts_are_normalised_and_checked_too() -> None:
    body = {"kind": "appeal", "channel": "email", "text": "Т", "citizen": {"full_name": " Ив\x00"}}
    refused(cmd.ReceiveAppeal, body)
    body["citizen"] = {"full_name": "  Иванов И. И.  "}
    decoded = msgspec.json.decode(msgspec.json.encode(body), type=cmd.ReceiveAppeal)
    assert decoded.citizen is not None and decoded.citizen.full_name == "Иванов И. И."


def test_policy_rules_are_bounded() -> None:
    rule = {
        "deadline": "answer",
        "kinds": ["appeal"],
        "anchor": "AppealRegistered",
        "unit": "calendar_days",
    }
    refused(PublishPolicy, {"title": "abc", "rules": [{**rule, "amount": 2**64}], "note": "abc"})
    refused(
        PublishPolicy,
        {"title": "abc", "rules": [{**rule, "amount": 1, "topic": "\x00"}], "note": "abc"},
    )


def test_every_command_derives_from_the_input_base() -> None:
    from domain.shared.inputs import Input

    commands: list[type[Any]] = [*cmd.LIFECYCLE_COMMANDS, *claim_cmd.CLAIM_COMMANDS]
    commands += [cmd.ReceiveAppeal, claim_cmd.DetectClaim, CorrectDay, PublishPolicy]
    commands += [PublishMethodology]
    for command in commands:
        assert issubclass(command, Input), command
