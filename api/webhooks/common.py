"""What the messenger adapters share: their secrets, the intake's actor, texts made to fit the
input domain (a messenger's text is taken as it is, never refused for a character), and the
receipt through the one command handler with the intake's idempotency contract."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import UTC, datetime

import msgspec
import structlog

from domain.appeals.application import AppealsApplication, CommandResult, IdempotencyClaim
from domain.appeals.commands import ReceiveAppeal
from domain.appeals.vocabulary import Channel
from domain.shared.actors import Actor, Role
from domain.shared.errors import IdempotencyKeyReused
from domain.shared.inputs import EARLIEST_YEAR

log = structlog.get_logger("otklik.intake")
_ENCODER = msgspec.json.Encoder()
# What no text of ours may hold (domain.shared.inputs): taken out of a messenger's text.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F\uD800-\uDFFF\uFFFE\uFFFF]")
_BREAKS = re.compile(r"[\t\n\r\u2028\u2029]+")
TEXT_LIMIT = 20_000  # domain.shared.inputs.Text


class WebhookSecrets(msgspec.Struct, frozen=True, kw_only=True):
    """The webhooks' settings (None: the integration is not configured, its route answers 404)."""

    telegram: str | None = None  # setWebhook's secret_token
    vk: str | None = None  # the Callback API server's secret key
    vk_confirmation: str | None = None  # the string the confirmation call must answer


def same_secret(sent: str | None, expected: str) -> bool:
    """A secret compared in constant time (the time tells nothing of how much of it matched)."""
    return sent is not None and hmac.compare_digest(sent.encode(), expected.encode())


def actor_of(channel: Channel) -> Actor:
    """The intake of a channel acts as an automatic process (the events name it, never a
    citizen: the citizen is in the contact)."""
    names = {Channel.TELEGRAM: "Приём из Telegram", Channel.VK: "Приём из ВКонтакте"}
    return Actor(id=f"intake:{channel}", role=Role.SYSTEM, name=names.get(channel, str(channel)))


def clean_text(value: str | None, limit: int = TEXT_LIMIT) -> str | None:
    """A messenger's free text made to fit the input domain: NFC, without the characters no
    text may hold, trimmed and cut at ``limit``; None when nothing is left."""
    if value is None:
        return None
    cleaned = _FORBIDDEN.sub("", unicodedata.normalize("NFC", value)).strip()[:limit].strip()
    return cleaned or None


def clean_line(value: str | None, limit: int) -> str | None:
    """A one-line text (a name): line breaks and tabs become spaces."""
    text = clean_text(value, limit * 2)
    return clean_text(_BREAKS.sub(" ", text), limit) if text is not None else None


def sent_at(unix_seconds: int, now: datetime) -> datetime | None:
    """When the messenger says the item was sent (never ahead of now; None if absurd)."""
    try:
        moment = datetime.fromtimestamp(unix_seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return None if moment.year < EARLIEST_YEAR else min(moment, now)


def fingerprint(command: ReceiveAppeal) -> str:
    return hashlib.sha256(_ENCODER.encode(command)).hexdigest()


def receive(
    appeals: AppealsApplication, channel: Channel, key: str, command: ReceiveAppeal
) -> CommandResult:
    """Receive ``command`` once per ``key`` (the channel's id of the delivery): a retried
    delivery returns the first result and appends nothing. The same key for another item (a new
    bot's update ids, a sequence restarted) is received under a key of its own."""
    actor = actor_of(channel)
    principal = f"intake:{channel}"
    print_ = fingerprint(command)
    claim = IdempotencyClaim(principal=principal, key=key, fingerprint=print_)
    try:
        result = appeals.receive(command, actor=actor, idempotency=claim)
    except IdempotencyKeyReused:
        claim = IdempotencyClaim(principal=principal, key=f"{key}#{print_}", fingerprint=print_)
        result = appeals.receive(command, actor=actor, idempotency=claim)
    log.info(
        "intake",
        channel=str(channel),
        appeal_id=str(result.state.id),
        replayed=result.replayed,
        position=result.position,
    )
    return result
