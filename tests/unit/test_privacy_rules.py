"""Issue 18's rules that need no database: the master key's setting is checked without echoing
it, the same phone written differently names the same citizen, and the placeholder's words."""

from __future__ import annotations

import base64
from datetime import date

import pytest
from cryptography.exceptions import InvalidTag

from domain.privacy.erasure import ErasureGround, erasure_placeholder
from domain.privacy.fields import erased_value
from infra.privacy.keyring import normalised_contacts
from infra.privacy.master import MasterKey
from infra.settings import Settings


@pytest.mark.parametrize(
    "value",
    ["not base64!", base64.b64encode(b"short").decode(), base64.b64encode(b"x" * 33).decode()],
)
def test_a_master_key_that_is_not_32_bytes_of_base64_is_refused_without_echo(value: str) -> None:
    with pytest.raises(ValueError, match="OTKLIK_MASTER_KEY") as refused:
        Settings.from_env({"OTKLIK_MASTER_KEY": value})
    assert value not in str(refused.value)


def test_the_same_phone_and_e_mail_written_differently_are_one_citizen() -> None:
    ways = ["+7 (913) 222-33-44", "8 913 222 33 44", "79132223344", "9132223344"]
    assert len({tuple(normalised_contacts(p, None)) for p in ways}) == 1
    assert normalised_contacts(None, " Ivan@Example.ORG ") == [b"email:ivan@example.org"]
    assert normalised_contacts("112", "no address") == []  # nothing that identifies


def test_the_placeholder_says_when_and_on_what_ground() -> None:
    text = erasure_placeholder(date(2026, 12, 1), ErasureGround.RETENTION)
    assert (
        text
        == "[персональные данные удалены 01.12.2026: истечение срока хранения, ч.7 ст.5 152-ФЗ]"
    )
    assert erased_value("citizen", text) == {"full_name": text}
    assert erased_value("recipient", text) is None
    assert erased_value("comment", text) == text


def test_a_wrapped_key_opens_only_with_its_master_key_and_its_id() -> None:
    master, other = MasterKey(b"a" * 32), MasterKey(b"b" * 32)
    wrapped = master.wrap(b"k" * 32, b"key-1")
    assert master.unwrap(wrapped, b"key-1") == b"k" * 32
    assert master.version != other.version and len(master.version) == 8
    for key, aad in ((other, b"key-1"), (master, b"key-2")):
        with pytest.raises(InvalidTag):
            key.unwrap(wrapped, aad)
