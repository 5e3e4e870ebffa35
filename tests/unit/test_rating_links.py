"""Signed rating links (issue 17): a link reads back as the appeal and answer it rates until it
expires; a changed, cut, foreign or over-long token is refused as not ours; the settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from api.rating_links import LinkExpired, LinkTampered
from infra.rating_links import RatingLinks
from infra.settings import Settings

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
LINKS = RatingLinks(b"a-secret-of-twenty-bytes", "https://otklik.example.ru/", timedelta(days=30))


def test_a_link_reads_back_until_it_expires() -> None:
    appeal_id = uuid4()
    link = LINKS.link_for(appeal_id, 2, NOW)
    assert link.startswith("https://otklik.example.ru/rate/")
    token = link.rsplit("/", 1)[1]
    assert str(appeal_id) not in link and appeal_id.hex not in link  # not readable as is
    assert LINKS.verify(token, NOW + timedelta(days=29)) == (appeal_id, 2)
    with pytest.raises(LinkExpired):
        LINKS.verify(token, NOW + timedelta(days=30))


@pytest.mark.parametrize(
    "spoil",
    [
        # the signature changed (not in its last character, whose low bits base64 ignores)
        lambda t: t[:-10] + ("A" if t[-10] != "A" else "B") + t[-9:],
        lambda t: t[:-5],  # cut short
        lambda t: "A" + t[1:],  # the payload changed
        lambda t: "x" * 600,  # too long to be ours
        lambda t: "",
    ],
)
def test_a_changed_token_is_refused_as_tampered(spoil: object) -> None:
    token = LINKS.token_for(uuid4(), 1, NOW)
    with pytest.raises(LinkTampered):
        LINKS.verify(spoil(token), NOW)  # type: ignore[operator]


def test_a_token_signed_with_another_secret_is_refused() -> None:
    other = RatingLinks(b"another-secret-entirely", "http://x", timedelta(days=30))
    with pytest.raises(LinkTampered):
        LINKS.verify(other.token_for(uuid4(), 1, NOW), NOW)


def test_the_settings_turn_links_on_with_a_secret_and_check_what_they_read(
    tmp_path: object,
) -> None:
    off = Settings.from_env({})
    assert off.rating_secret is None and off.rating_ttl_days == 30
    on = Settings.from_env(
        {
            "OTKLIK_RATING_SECRET": "s" * 32,
            "OTKLIK_RATING_TTL_DAYS": "14",
            "OTKLIK_PUBLIC_BASE_URL": "https://otklik.example.ru/",
        }
    )
    assert (on.rating_secret, on.rating_ttl_days, on.public_base_url) == (
        b"s" * 32,
        14,
        "https://otklik.example.ru",
    )
    for bad in (
        {"OTKLIK_RATING_SECRET": "short"},
        {"OTKLIK_RATING_TTL_DAYS": "0"},
        {"OTKLIK_PUBLIC_BASE_URL": "ftp://x"},
        {"OTKLIK_RATING_SECRET_FILE": "/nonexistent/secret"},
    ):
        with pytest.raises(ValueError, match="OTKLIK_"):
            Settings.from_env(bad)
