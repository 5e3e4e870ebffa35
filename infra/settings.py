"""Settings, read once from the environment. Only this module knows the variable names."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from domain.access.commands import DEFAULT_TOKEN_DAYS, MAX_TOKEN_SECONDS
from infra.outbound.config import OutboundSettings, outbound_settings
from infra.privacy.master import parse_key

# How long anyone waits on the database by default, in seconds (see infra/db_bounds.py).
CONNECT_TIMEOUT = 3.0
POOL_TIMEOUT = 3.0
STATEMENT_TIMEOUT = 3.0
BACKGROUND_STATEMENT_TIMEOUT = 300.0
REQUEST_DEADLINE = 4.5
DEFAULT_ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024  # a scanned letter, a long call's recording
DEFAULT_IMPORT_MAX_BYTES = 200 * 1024 * 1024  # a region's year of ПОС messages as CSV


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None  # DATABASE_URL; None → the embedded PostgreSQL
    data_dir: Path  # OTKLIK_DATA_DIR: where the embedded server keeps its data
    timezone: str  # OTKLIK_TIMEZONE, or the default municipality's: the default time zone
    # OTKLIK_MUNICIPALITIES: every municipality a region-wide deployment serves, code → IANA time
    # zone ("kazan=Europe/Moscow,ekb=Asia/Yekaterinburg"); empty: one municipality.
    municipalities: dict[str, str]
    municipality: str | None  # OTKLIK_MUNICIPALITY: the default one's code (appeals naming none)
    log_level: str  # OTKLIK_LOG_LEVEL
    log_format: str  # OTKLIK_LOG_FORMAT: json | console
    pool_size: int  # OTKLIK_POOL_SIZE: connections per process for reads and projections
    workers: int  # OTKLIK_WORKERS: ASGI worker processes under granian
    projections_in_process: bool  # OTKLIK_PROJECTIONS_IN_PROCESS: run projections in `serve`
    projection_batch: int  # OTKLIK_PROJECTION_BATCH: most events in one rebuild transaction
    watcher_interval: float  # OTKLIK_WATCHER_INTERVAL: seconds between the deadline watcher's ticks
    sla_policy: str  # OTKLIK_SLA_POLICY: the id of the SLA policy in force
    # How long anyone waits on the database, in seconds (see infra/db_bounds.py):
    db_connect_timeout: float  # OTKLIK_DB_CONNECT_TIMEOUT: making a connection
    db_pool_timeout: float  # OTKLIK_DB_POOL_TIMEOUT: waiting for a free pooled connection
    db_statement_timeout: float  # OTKLIK_DB_STATEMENT_TIMEOUT: a statement of a request
    # OTKLIK_DB_BACKGROUND_STATEMENT_TIMEOUT: a statement of the projections, rebuilds and bulk
    # work (0: none)
    db_background_statement_timeout: float
    # OTKLIK_REQUEST_DEADLINE: all of one request's waits on the database, together
    request_deadline: float
    token_ttl_days: int  # OTKLIK_TOKEN_TTL_DAYS: a new token's lifetime unless it says (1–366)
    # Messenger webhooks (issue 16; unset: the route answers 404): OTKLIK_TELEGRAM_SECRET, the
    # secret_token given to setWebhook; OTKLIK_VK_SECRET and OTKLIK_VK_CONFIRMATION, the Callback
    # API server's secret key and the confirmation string.
    telegram_secret: str | None = None
    vk_secret: str | None = None
    vk_confirmation: str | None = None
    # OTKLIK_ATTACHMENTS_DIR: the attachment store's folder (default: <data dir>/attachments)
    attachments_dir: Path | None = None
    # OTKLIK_ATTACHMENT_MAX_BYTES: the largest file an appeal may carry (an upload past it: 413)
    attachment_max_bytes: int = DEFAULT_ATTACHMENT_MAX_BYTES
    # OTKLIK_IMPORT_MAX_BYTES: the largest export POST /api/v1/imports takes (past it: 413)
    import_max_bytes: int = DEFAULT_IMPORT_MAX_BYTES
    # OTKLIK_IMPORT_WORKERS: processes a large `otklik import` decides in (default: one per core)
    import_workers: int | None = None
    # issue 17, the citizen's rating links: OTKLIK_PUBLIC_BASE_URL, where citizens reach the
    # public pages; OTKLIK_RATING_SECRET (or OTKLIK_RATING_SECRET_FILE), the signing key (unset:
    # links are off and the page says so); OTKLIK_RATING_TTL_DAYS, how long a link lasts
    public_base_url: str = "http://127.0.0.1:8000"
    rating_secret: bytes | None = None
    rating_ttl_days: int = 30
    # issue 17: the outbound channels (OTKLIK_SMTP_*, OTKLIK_MAIL_FROM, OTKLIK_TELEGRAM_TOKEN/_API,
    # OTKLIK_VK_TOKEN/_API, OTKLIK_OUTBOX_*): infra/outbound/config.py, docs/outbound.md
    outbound: OutboundSettings = OutboundSettings()
    # issue 18: the master key that wraps the data keys (docs/personal-data.md): OTKLIK_MASTER_KEY
    # (base64 of 32 bytes) or OTKLIK_MASTER_KEY_FILE (a file holding it); with neither, one is
    # made into <data dir>/master.key on the first run (a development default)
    master_key: str | None = None
    master_key_file: Path | None = None
    # issue 18: the retention schedule (OTKLIK_RETENTION_SCHEDULE, a TOML like the bundled
    # infra/retention/schedule.toml) and the retention reactor's round (seconds)
    retention_schedule: Path | None = None
    retention_interval: float = 3600.0

    @property
    def attachments_root(self) -> Path:
        return self.attachments_dir or self.data_dir / "attachments"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        municipalities = parse_municipalities(env.get("OTKLIK_MUNICIPALITIES", ""))
        municipality = env.get("OTKLIK_MUNICIPALITY") or None
        timezone = _zone(env.get("OTKLIK_TIMEZONE", "Europe/Moscow"), "OTKLIK_TIMEZONE")
        if municipality is not None:
            if municipality not in municipalities:
                raise ValueError(
                    f"OTKLIK_MUNICIPALITY={municipality!r} is not among OTKLIK_MUNICIPALITIES"
                )
            timezone = municipalities[municipality]
        return cls(
            database_url=env.get("DATABASE_URL") or None,
            data_dir=Path(env.get("OTKLIK_DATA_DIR", ".otklik")).absolute(),
            timezone=timezone,
            municipalities=municipalities,
            municipality=municipality,
            log_level=env.get("OTKLIK_LOG_LEVEL", "info").lower(),
            log_format=env.get("OTKLIK_LOG_FORMAT", "json").lower(),
            pool_size=int(env.get("OTKLIK_POOL_SIZE", "8")),
            # one granian worker per core: a worker's Python runs on one core at a time
            workers=int(env.get("OTKLIK_WORKERS", "") or os.cpu_count() or 1),
            projections_in_process=env.get("OTKLIK_PROJECTIONS_IN_PROCESS", "true").lower()
            in ("1", "true", "yes", "y"),
            projection_batch=int(env.get("OTKLIK_PROJECTION_BATCH", "50000")),
            watcher_interval=float(env.get("OTKLIK_WATCHER_INTERVAL", "30")),
            sla_policy=env.get("OTKLIK_SLA_POLICY", "federal"),
            db_connect_timeout=_seconds(env, "OTKLIK_DB_CONNECT_TIMEOUT", CONNECT_TIMEOUT),
            db_pool_timeout=_seconds(env, "OTKLIK_DB_POOL_TIMEOUT", POOL_TIMEOUT),
            db_statement_timeout=_seconds(env, "OTKLIK_DB_STATEMENT_TIMEOUT", STATEMENT_TIMEOUT),
            request_deadline=_seconds(env, "OTKLIK_REQUEST_DEADLINE", REQUEST_DEADLINE),
            token_ttl_days=_token_days(env.get("OTKLIK_TOKEN_TTL_DAYS", "").strip()),
            telegram_secret=_telegram_secret(env.get("OTKLIK_TELEGRAM_SECRET", "")),
            vk_secret=_webhook_text(env.get("OTKLIK_VK_SECRET", ""), "OTKLIK_VK_SECRET"),
            vk_confirmation=_webhook_text(
                env.get("OTKLIK_VK_CONFIRMATION", ""), "OTKLIK_VK_CONFIRMATION"
            ),
            attachments_dir=_path(env.get("OTKLIK_ATTACHMENTS_DIR", "")),
            attachment_max_bytes=_bytes(env.get("OTKLIK_ATTACHMENT_MAX_BYTES", "").strip()),
            import_max_bytes=_bytes(
                env.get("OTKLIK_IMPORT_MAX_BYTES", "").strip(),
                "OTKLIK_IMPORT_MAX_BYTES",
                DEFAULT_IMPORT_MAX_BYTES,
            ),
            import_workers=_workers(env.get("OTKLIK_IMPORT_WORKERS", "").strip()),
            **rating_settings(env),
            db_background_statement_timeout=_seconds(
                env,
                "OTKLIK_DB_BACKGROUND_STATEMENT_TIMEOUT",
                BACKGROUND_STATEMENT_TIMEOUT,
                zero_allowed=True,
            ),
            outbound=outbound_settings(env),
            master_key=_master_key(env.get("OTKLIK_MASTER_KEY", "").strip()),
            master_key_file=_path(env.get("OTKLIK_MASTER_KEY_FILE", "")),
            retention_schedule=_path(env.get("OTKLIK_RETENTION_SCHEDULE", "")),
            retention_interval=_seconds(env, "OTKLIK_RETENTION_INTERVAL", 3600.0),
        )

    def with_database(self, url: str) -> Settings:
        return msgspec.structs.replace(self, database_url=url)


DATABASE_URL_VARIABLE = "DATABASE_URL"


def _master_key(text: str) -> str | None:
    """Issue 18: checked here, so a bad key stops the process before it serves anything (the
    message names the rule, never the value)."""
    if not text:
        return None
    parse_key(text, "OTKLIK_MASTER_KEY")
    return text


def _workers(value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 64:
        raise ValueError("OTKLIK_IMPORT_WORKERS: expected a whole number from 1 to 64")
    return int(value)


def _seconds(
    env: dict[str, str], variable: str, default: float, zero_allowed: bool = False
) -> float:
    text = env.get(variable, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        raise ValueError(f"{variable}: expected a number of seconds") from None
    if not (value > 0 or (zero_allowed and value == 0)) or value > 86_400:
        raise ValueError(f"{variable}: out of range (0 < seconds <= 86400)")
    return value


def _token_days(text: str) -> int:
    try:
        days = int(text) if text else DEFAULT_TOKEN_DAYS
    except ValueError:
        raise ValueError("OTKLIK_TOKEN_TTL_DAYS: expected a whole number of days") from None
    if not 1 <= days <= MAX_TOKEN_SECONDS // 86_400:
        raise ValueError("OTKLIK_TOKEN_TTL_DAYS: out of range (1 <= days <= 366)")
    return days


_TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook's secret_token may hold
_WEBHOOK_TEXT = re.compile(r"[\x21-\x7e]{1,200}")  # printable ASCII, no spaces


def _telegram_secret(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if not _TELEGRAM_SECRET.fullmatch(text):
        raise ValueError("OTKLIK_TELEGRAM_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return text


def _webhook_text(text: str, variable: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if not _WEBHOOK_TEXT.fullmatch(text):
        raise ValueError(f"{variable}: 1-200 printable ASCII characters, no spaces")
    return text


def _path(text: str) -> Path | None:
    return Path(text.strip()).absolute() if text.strip() else None


def _bytes(
    text: str,
    variable: str = "OTKLIK_ATTACHMENT_MAX_BYTES",
    default: int = DEFAULT_ATTACHMENT_MAX_BYTES,
) -> int:
    try:
        value = int(text) if text else default
    except ValueError:
        raise ValueError(f"{variable}: expected a whole number of bytes") from None
    if not 1 <= value <= 2**40:
        raise ValueError(f"{variable}: out of range (1 <= bytes <= 2**40)")
    return value


def _zone(name: str, variable: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"{variable}: {name!r} is not an IANA time zone") from error
    return name


def parse_municipalities(text: str) -> dict[str, str]:
    """``code=Zone,code=Zone`` → {code: zone}, every zone checked."""
    found: dict[str, str] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        code, sep, zone = item.partition("=")
        code, zone = code.strip(), zone.strip()
        if not sep or not code or code in found:
            raise ValueError(
                f"OTKLIK_MUNICIPALITIES: {item.strip()!r} is not a new 'code=Time/Zone' pair"
            )
        found[code] = _zone(zone, "OTKLIK_MUNICIPALITIES")
    return found


class RatingSettings(TypedDict):
    public_base_url: str
    rating_secret: bytes | None
    rating_ttl_days: int


def rating_settings(env: dict[str, str]) -> RatingSettings:
    """Issue 17: the rating links' settings (their variables' rules in one place)."""
    secret_text = env.get("OTKLIK_RATING_SECRET", "").strip()
    secret_file = env.get("OTKLIK_RATING_SECRET_FILE", "").strip()
    if secret_file and not secret_text:
        try:
            secret_text = Path(secret_file).read_text(encoding="utf-8").strip()
        except OSError:
            raise ValueError("OTKLIK_RATING_SECRET_FILE: the file cannot be read") from None
    if secret_text and len(secret_text.encode()) < 16:
        raise ValueError("OTKLIK_RATING_SECRET: at least 16 bytes")
    base = env.get("OTKLIK_PUBLIC_BASE_URL", "").strip() or "http://127.0.0.1:8000"
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", base):
        raise ValueError("OTKLIK_PUBLIC_BASE_URL: an http(s) address, no query")
    days_text = env.get("OTKLIK_RATING_TTL_DAYS", "").strip() or "30"
    if not days_text.isascii() or not days_text.isdigit() or not 1 <= int(days_text) <= 366:
        raise ValueError("OTKLIK_RATING_TTL_DAYS: a whole number of days, 1-366")
    return RatingSettings(
        public_base_url=base.rstrip("/"),
        rating_secret=secret_text.encode() if secret_text else None,
        rating_ttl_days=int(days_text),
    )
