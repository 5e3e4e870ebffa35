"""Attachments on the appeal's stream (issue 16): given these events, when a file is added, then
this event, nothing, or the rule that refuses it."""

from __future__ import annotations

import hashlib

import msgspec
import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.vocabulary import Channel, Kind, Outcome
from domain.attachments.media import AttachmentKind, allowed_type, download_name
from domain.attachments.store import AttachmentTooLarge, AttachmentTypeRefused, Digest
from domain.shared.actors import Actor, Role
from domain.shared.errors import Forbidden, InvalidCommand, RuleViolated
from domain.shared.inputs import InputRefused
from tests.support.appeals import (
    ASSIGN,
    EXECUTOR,
    OTHER_EXECUTOR,
    REGISTER,
    Scenario,
    receive,
)

ANALYST = Actor(id="an-1", role=Role.ANALYST, name="Аналитик")
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 32
SHA = hashlib.sha256(PNG).hexdigest()


def add(kind: AttachmentKind = AttachmentKind.PHOTO, sha: str = SHA) -> cmd.AddAttachment:
    return cmd.AddAttachment(sha256=sha, size=len(PNG), media_type="image/png", kind=kind)


def test_a_file_added_to_a_received_appeal_is_recorded_with_its_address_size_and_type() -> None:
    scenario = Scenario().given(receive(Kind.CALL, Channel.PHONE))
    (event,) = scenario.when(add(AttachmentKind.RECORDING))
    assert isinstance(event, ev.AttachmentAdded)
    assert (event.sha256, event.size, event.media_type) == (SHA, len(PNG), "image/png")
    assert event.kind is AttachmentKind.RECORDING
    assert "name" not in msgspec.structs.asdict(event)  # the file's name is never recorded


def test_the_same_content_added_twice_records_nothing_the_second_time() -> None:
    scenario = Scenario().given(receive(), REGISTER, add())
    assert scenario.state is not None and scenario.state.attachments == (SHA,)
    assert scenario.when(add(AttachmentKind.SCAN)) == []


def test_other_content_is_another_attachment() -> None:
    other = hashlib.sha256(b"other").hexdigest()
    scenario = Scenario().given(receive(), add(), add(sha=other))
    assert scenario.state is not None and scenario.state.attachments == (SHA, other)


def test_a_closed_appeal_takes_the_signed_answer_and_nothing_else() -> None:
    scenario = Scenario().given(receive(), REGISTER, cmd.CloseAppeal(outcome=Outcome.WITHDRAWN))
    with pytest.raises(RuleViolated, match="closed"):
        scenario.when(add(AttachmentKind.PHOTO))
    (event,) = scenario.when(add(AttachmentKind.ANSWER))
    assert isinstance(event, ev.AttachmentAdded)


def test_a_file_it_has_already_added_to_a_closed_appeal_is_nothing_new() -> None:
    scenario = Scenario().given(receive(), REGISTER, add())
    scenario.given(cmd.CloseAppeal(outcome=Outcome.WITHDRAWN))
    assert scenario.when(add(AttachmentKind.PHOTO)) == []


def test_an_executor_adds_files_to_their_departments_appeals_only() -> None:
    scenario = Scenario().given(receive(), REGISTER, ASSIGN)
    assert len(scenario.when(add(), EXECUTOR)) == 1
    with pytest.raises(Forbidden):
        scenario.when(add(), OTHER_EXECUTOR)


def test_an_analyst_adds_no_files() -> None:
    with pytest.raises(Forbidden):
        Scenario().given(receive()).when(add(), ANALYST)


def test_a_media_type_not_allowed_is_refused_by_the_decision() -> None:
    command = cmd.AddAttachment(sha256=SHA, size=5, media_type="text/html", kind="photo")  # type: ignore[arg-type]
    with pytest.raises(InvalidCommand, match="media type"):
        Scenario().given(receive()).when(command)


def test_a_command_refuses_an_address_that_is_not_a_sha256() -> None:
    with pytest.raises((InputRefused, msgspec.ValidationError)):
        msgspec.convert(
            {"sha256": "../etc/passwd", "size": 1, "media_type": "image/png", "kind": "photo"},
            cmd.AddAttachment,
        )


def test_the_type_is_told_from_the_bytes() -> None:
    assert allowed_type(PNG) == "image/png"
    assert allowed_type(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") == "application/pdf"
    assert allowed_type(b"<html><script>alert(1)</script></html>") is None
    assert allowed_type(b"MZ\x90\x00" + b"\x00" * 60) is None  # an executable
    assert allowed_type(b"") is None


def test_a_digest_refuses_bytes_past_its_limit_and_a_type_not_allowed() -> None:
    digest = Digest(limit=len(PNG))
    digest.update(PNG)
    assert digest.blob().sha256 == SHA
    with pytest.raises(AttachmentTooLarge):
        digest.update(b"x")
    text = Digest(limit=100)
    text.update(b"plain text")
    with pytest.raises(AttachmentTypeRefused):
        text.blob()


def test_a_download_is_named_by_the_address_never_by_the_name_it_came_with() -> None:
    assert download_name(SHA, "image/png") == f"{SHA[:16]}.png"
