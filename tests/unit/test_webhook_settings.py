"""The messengers' webhook settings: unset means not configured; a Telegram secret Telegram would
refuse, or a VK key with spaces, stops the start rather than failing every delivery."""

from __future__ import annotations

import pytest

from infra.settings import Settings


def test_unset_webhook_settings_leave_the_integrations_unconfigured() -> None:
    settings = Settings.from_env({})
    assert (settings.telegram_secret, settings.vk_secret, settings.vk_confirmation) == (
        None,
        None,
        None,
    )


def test_the_webhook_settings_are_read() -> None:
    env = {
        "OTKLIK_TELEGRAM_SECRET": "abc_DEF-123",
        "OTKLIK_VK_SECRET": "k3y",
        "OTKLIK_VK_CONFIRMATION": "1a2b3c4d",
    }
    settings = Settings.from_env(env)
    assert settings.telegram_secret == "abc_DEF-123"
    assert (settings.vk_secret, settings.vk_confirmation) == ("k3y", "1a2b3c4d")


@pytest.mark.parametrize("secret", ["has space", "точка", "a" * 257, "semi;colon"])
def test_a_telegram_secret_telegram_would_refuse_stops_the_start(secret: str) -> None:
    with pytest.raises(ValueError, match="OTKLIK_TELEGRAM_SECRET") as error:
        Settings.from_env({"OTKLIK_TELEGRAM_SECRET": secret})
    assert secret not in str(error.value)


def test_a_vk_secret_with_a_space_stops_the_start() -> None:
    with pytest.raises(ValueError, match="OTKLIK_VK_SECRET"):
        Settings.from_env({"OTKLIK_VK_SECRET": "two words"})
