"""The outbound channels' settings (read by ``infra/settings.py`` with the rest): the SMTP relay,
the messengers' tokens and API addresses, and how hard the delivery worker tries. With none of
the channels configured, messages queue and stay visible; nothing is lost."""

from __future__ import annotations

from pathlib import Path

import msgspec


class OutboundSettings(msgspec.Struct, frozen=True, kw_only=True):
    smtp_host: str | None = None  # OTKLIK_SMTP_HOST (unset: e-mail waits in the outbox)
    smtp_port: int = 25  # OTKLIK_SMTP_PORT
    smtp_user: str | None = None  # OTKLIK_SMTP_USER
    smtp_password: str | None = None  # OTKLIK_SMTP_PASSWORD
    smtp_starttls: bool = False  # OTKLIK_SMTP_STARTTLS
    mail_from: str = "otklik@localhost"  # OTKLIK_MAIL_FROM
    telegram_token: str | None = None  # OTKLIK_TELEGRAM_TOKEN (the bot's; unset: no replies)
    telegram_api: str = "https://api.telegram.org"  # OTKLIK_TELEGRAM_API
    vk_token: str | None = None  # OTKLIK_VK_TOKEN (the community's; unset: no replies)
    vk_api: str = "https://api.vk.com"  # OTKLIK_VK_API
    max_attempts: int = 5  # OTKLIK_OUTBOX_MAX_ATTEMPTS: then a dead letter
    backoff_seconds: float = 60.0  # OTKLIK_OUTBOX_BACKOFF: the first retry's delay, doubling
    max_backoff_seconds: float = 3600.0  # OTKLIK_OUTBOX_MAX_BACKOFF
    lease_seconds: float = 120.0  # OTKLIK_OUTBOX_LEASE: an attempt left in flight longer: resent
    interval: float = 5.0  # OTKLIK_OUTBOX_INTERVAL: seconds between the worker's ticks
    send_timeout: float = 30.0  # OTKLIK_OUTBOX_SEND_TIMEOUT: one send's network wait
    details: Path | None = None  # OTKLIK_MUNICIPALITY_DETAILS: the administration's TOML
    # the daily brief (issue 17, item 4)
    brief_hour: int = 8  # OTKLIK_BRIEF_HOUR: queued from this hour of a working morning on
    brief_heads: tuple[str, ...] = ()  # OTKLIK_BRIEF_HEAD: person ids (default: the МЦУ's head)
    brief_interval: float = 300.0  # OTKLIK_BRIEF_INTERVAL: seconds between the timer's checks


def _number(env: dict[str, str], name: str, default: float, low: float, high: float) -> float:
    text = env.get(name, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        raise ValueError(f"{name}: expected a number") from None
    if not low <= value <= high:
        raise ValueError(f"{name}: out of range ({low}–{high})")
    return value


def _text(env: dict[str, str], name: str) -> str | None:
    return env.get(name, "").strip() or None


def outbound_settings(env: dict[str, str]) -> OutboundSettings:
    starttls = env.get("OTKLIK_SMTP_STARTTLS", "false").strip().lower()
    details = _text(env, "OTKLIK_MUNICIPALITY_DETAILS")
    return OutboundSettings(
        smtp_host=_text(env, "OTKLIK_SMTP_HOST"),
        smtp_port=int(_number(env, "OTKLIK_SMTP_PORT", 25, 1, 65535)),
        smtp_user=_text(env, "OTKLIK_SMTP_USER"),
        smtp_password=env.get("OTKLIK_SMTP_PASSWORD") or None,
        smtp_starttls=starttls in ("1", "true", "yes", "y"),
        mail_from=_text(env, "OTKLIK_MAIL_FROM") or "otklik@localhost",
        telegram_token=_text(env, "OTKLIK_TELEGRAM_TOKEN"),
        telegram_api=_text(env, "OTKLIK_TELEGRAM_API") or "https://api.telegram.org",
        vk_token=_text(env, "OTKLIK_VK_TOKEN"),
        vk_api=_text(env, "OTKLIK_VK_API") or "https://api.vk.com",
        max_attempts=int(_number(env, "OTKLIK_OUTBOX_MAX_ATTEMPTS", 5, 1, 100)),
        backoff_seconds=_number(env, "OTKLIK_OUTBOX_BACKOFF", 60, 0, 86_400),
        max_backoff_seconds=_number(env, "OTKLIK_OUTBOX_MAX_BACKOFF", 3600, 0, 604_800),
        lease_seconds=_number(env, "OTKLIK_OUTBOX_LEASE", 120, 0.1, 86_400),
        interval=_number(env, "OTKLIK_OUTBOX_INTERVAL", 5, 0.05, 3600),
        send_timeout=_number(env, "OTKLIK_OUTBOX_SEND_TIMEOUT", 30, 0.1, 600),
        details=Path(details).absolute() if details else None,
        brief_hour=int(_number(env, "OTKLIK_BRIEF_HOUR", 8, 0, 23)),
        brief_heads=tuple(
            p.strip() for p in env.get("OTKLIK_BRIEF_HEAD", "").split(",") if p.strip()
        ),
        brief_interval=_number(env, "OTKLIK_BRIEF_INTERVAL", 300, 0.05, 3600),
    )
