"""The event codec: every stream's event types by stable name, encoded as JSON with msgspec and
decoded (upcast) back — what the event store's mapper and every reader of the log use. Personal
fields are sealed on the way in and opened on the way out through the keyring (issue 18)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import partial
from typing import Any, cast
from uuid import UUID

import msgspec
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Cipher, Compressor, Mapper, StoredEvent, Transcoder

from domain.access.events import ACCESS_EVENT_TYPES
from domain.appeals.events import APPEAL_EVENT_TYPES
from domain.audit.events import AUDIT_EVENT_TYPES
from domain.claims.events import CLAIM_EVENT_TYPES
from domain.organisation.events import DIRECTORY_EVENT_TYPES
from domain.outbox.events import MESSAGE_EVENT_TYPES
from domain.privacy.erasure import PRIVACY_EVENT_TYPES
from domain.ratings.methodology import METHODOLOGY_EVENT_TYPES
from domain.redaction.events import REDACTION_EVENT_TYPES
from domain.retention.holds import HOLD_EVENT_TYPES
from domain.rubricator.events import RUBRICATOR_EVENT_TYPES
from domain.sessions.events import BODY_EVENT_TYPES, SESSION_EVENT_TYPES
from domain.sessions.feedback import POLL_EVENT_TYPES, PUBLICATION_EVENT_TYPES
from domain.sessions.task_events import TASK_EVENT_TYPES
from domain.sla.book import CALENDAR_EVENT_TYPES, POLICY_EVENT_TYPES
from infra.privacy.keyring import IDEMPOTENCY, Keyring
from infra.privacy.sealing import open_fields, seal

EVENT_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        *APPEAL_EVENT_TYPES,
        *CALENDAR_EVENT_TYPES,
        *POLICY_EVENT_TYPES,
        *AUDIT_EVENT_TYPES,
        *CLAIM_EVENT_TYPES,
        *METHODOLOGY_EVENT_TYPES,
        *ACCESS_EVENT_TYPES,
        *DIRECTORY_EVENT_TYPES,
        *RUBRICATOR_EVENT_TYPES,
        *MESSAGE_EVENT_TYPES,  # issue 17: outgoing messages
        # issue 20: the МЦУ as a body
        *BODY_EVENT_TYPES,
        *SESSION_EVENT_TYPES,
        *TASK_EVENT_TYPES,
        *POLL_EVENT_TYPES,
        *PUBLICATION_EVENT_TYPES,
        *PRIVACY_EVENT_TYPES,
        *HOLD_EVENT_TYPES,  # issue 18: legal holds on appeals' data
        *REDACTION_EVENT_TYPES,  # issue 18: the redacted copies of free texts
    )
}
_ENCODER = msgspec.json.Encoder()
_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {
    name: msgspec.json.Decoder(cls) for name, cls in EVENT_TYPES.items()
}


def topic_of(cls: type[Any]) -> str:
    version = getattr(cls, "class_version", 1)
    return cls.__name__ if version == 1 else f"{cls.__name__}@{version}"


# Topics stored at their class's current version decode in one step (the rebuild's hot path).
_CURRENT: dict[str, Any] = {
    topic_of(cls): _DECODERS[name].decode for name, cls in EVENT_TYPES.items()
}


_SEALED = b'{"sealed":'
_ERASED = "PersonalDataErased"


def decode_event(topic: str, state: bytes, keyring: Keyring | None = None) -> Any:
    """The domain event stored under ``topic``, upcast to its class's current version; sealed
    fields opened with ``keyring`` (without one, or with their key erased: placeholders)."""
    if _SEALED in state:
        return _decode_sealed(topic, state, keyring)
    if topic == _ERASED and keyring is not None:
        # a reader reaching an erasure re-derives what it erased: no cached key may serve it
        keyring.forget()
    fast = _CURRENT.get(topic)
    if fast is not None:
        return fast(state)
    name, _, stored = topic.partition("@")
    cls = EVENT_TYPES[name]
    stored_version = int(stored or 1)
    current = getattr(cls, "class_version", 1)
    if stored_version == current:
        return _DECODERS[name].decode(state)
    return _upcast(cls, stored_version, msgspec.json.decode(state))


def _decode_sealed(topic: str, state: bytes, keyring: Keyring | None) -> Any:
    name, _, stored = topic.partition("@")
    cls = EVENT_TYPES[name]
    data = open_fields(cls, msgspec.json.decode(state), keyring)
    return _upcast(cls, int(stored or 1), data)


class CodecDecoder:
    """``decode_event`` bound to a keyring: what the projection engine decodes with. Called as
    ``decode(topic, state)``; ``for_topic(topic)`` gives the same decoding for one stored topic
    as a function of the bytes alone (what a rebuild calls once per event: the topic's parsing,
    its class's lookup and the keyring's binding are done once per topic, not per event)."""

    def __init__(self, keyring: Keyring | None) -> None:
        self.keyring = keyring

    def __call__(self, topic: str, state: bytes) -> Any:
        return decode_event(topic, state, self.keyring)

    def for_topic(self, topic: str) -> Callable[[bytes], Any]:
        """Decodes (and refuses) exactly what ``decode_event(topic, …)`` does (the engine's
        ``EventLog`` keeps one per topic)."""
        fast = _CURRENT.get(topic)
        keyring = self.keyring
        if fast is None or (topic == _ERASED and keyring is not None):
            return partial(decode_event, topic, keyring=keyring)  # upcasts, an erasure: rare
        sealed = _SEALED

        def decode(state: bytes) -> Any:
            if sealed in state:
                return _decode_sealed(topic, state, keyring)
            return fast(state)

        return decode


def codec_decoder(keyring: Keyring | None) -> CodecDecoder:
    return CodecDecoder(keyring)


def _upcast(cls: type[Any], stored_version: int, data: Any) -> Any:
    current = getattr(cls, "class_version", 1)
    for version in range(stored_version, current):
        data = getattr(cls, f"upcast_v{version}_v{version + 1}")(data)
    return msgspec.convert(data, cls)


class MsgspecMapper(Mapper[UUID]):
    """Maps msgspec event structs to stored events as JSON (readable by auditors' tools)."""

    def __init__(
        self,
        transcoder: Transcoder,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
    ) -> None:
        super().__init__(transcoder, compressor=compressor, cipher=cipher)

        # issue 18: set by the composition root; None stores personal fields in clear (only the
        # encryption benchmark's baseline runs without one)
        self.keyring: Keyring | None = None

    def keyed_fingerprint(self, fingerprint: str) -> str:
        """Issue 18: an idempotency fingerprint keyed with a server secret (``k1:`` marks it)."""
        if self.keyring is None:
            return fingerprint
        secret = self.keyring.secret(IDEMPOTENCY)
        return "k1:" + hmac.new(secret, fingerprint.encode(), hashlib.sha256).hexdigest()

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        keyring = self.keyring
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=topic_of(type(domain_event)),
            state=_ENCODER.encode(domain_event)
            if keyring is None
            else seal(domain_event, keyring, _ENCODER),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        return cast(
            DomainEventProtocol[UUID],
            decode_event(stored_event.topic, stored_event.state, self.keyring),
        )
