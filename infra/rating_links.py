"""Signed, expiring rating links (issue 17): the link sent with the final answer names the appeal
and the version of its answer and when it expires, signed with the deployment's secret
(itsdangerous, HMAC-SHA256). Single use is the appeal's to know: its state records that the
citizen rated this answer version, so a second use is refused by the domain."""

from __future__ import annotations

import contextlib
import hashlib
from datetime import UTC, datetime, timedelta
from uuid import UUID

from itsdangerous import BadSignature, URLSafeSerializer

from api.rating_links import LinkExpired, LinkTampered, RatingLinkReader
from infra.settings import Settings

SALT = "otklik.rating-link.v1"  # a token signed for another purpose never reads as a link
MAX_TOKEN = 512  # a longer token is not one of ours


class RatingLinks(RatingLinkReader):
    def __init__(self, secret: bytes, base_url: str, ttl: timedelta) -> None:
        if len(secret) < 16:
            raise ValueError("the rating links' secret must be at least 16 bytes")
        self._serializer = URLSafeSerializer(
            secret, salt=SALT, signer_kwargs={"digest_method": hashlib.sha256}
        )
        self.base_url = base_url.rstrip("/")
        self.ttl = ttl

    def token_for(self, appeal_id: UUID, answer_version: int, now: datetime) -> str:
        expires = int((now + self.ttl).timestamp())
        return str(self._serializer.dumps([appeal_id.hex, answer_version, expires]))

    def link_for(self, appeal_id: UUID, answer_version: int, now: datetime) -> str:
        """The public page's address for the answer ``answer_version`` of the appeal."""
        return f"{self.base_url}/rate/{self.token_for(appeal_id, answer_version, now)}"

    def verify(self, token: str, now: datetime) -> tuple[UUID, int]:
        if len(token) > MAX_TOKEN:
            raise LinkTampered("the link is not one this service made")
        try:
            payload = self._serializer.loads(token)
        except BadSignature:
            raise LinkTampered("the link is not one this service made") from None
        appeal_id, answer_version, expires = _fields(payload)
        if now.astimezone(UTC) >= datetime.fromtimestamp(expires, UTC):
            raise LinkExpired("the link has expired")
        return appeal_id, answer_version


def _fields(payload: object) -> tuple[UUID, int, int]:
    """The signed payload's fields (a payload we signed always has them: anything else is not
    ours, whatever signed it)."""
    match payload:
        case [str(hex_id), int(version), int(expires)] if version >= 1:
            with contextlib.suppress(ValueError):  # not a UUID: not ours either
                return UUID(hex=hex_id), version, expires
    raise LinkTampered("the link is not one this service made")


def rating_links(settings: Settings) -> RatingLinks | None:
    """The citizen's rating links, signed with OTKLIK_RATING_SECRET (unset: none)."""
    if settings.rating_secret is None:
        return None
    ttl = timedelta(days=settings.rating_ttl_days)
    return RatingLinks(settings.rating_secret, settings.public_base_url, ttl)
