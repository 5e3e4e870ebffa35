"""Sealing an event's personal fields for the log and opening them again: each field's msgspec
value becomes ``{"sealed": base64(nonce || AES-GCM), "key": key id}`` (AAD: stream id and field
name); a field whose key is erased reads as the placeholder that says when and why."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from domain.appeals.events import AppealReceived
from domain.outbox.events import MessageQueued
from domain.privacy.erasure import ErasureGround, erasure_placeholder
from domain.privacy.fields import PERSONAL_FIELDS, UNKNOWN_ERASURE, erased_value
from domain.redaction.events import TextRedacted
from infra.privacy.keyring import DataKey, Erased, Keyring

_BY_NAME = {cls.__name__: fields for cls, fields in PERSONAL_FIELDS.items()}


def _key_of(event: Any, keyring: Keyring) -> DataKey | None:
    if isinstance(event, MessageQueued):
        # a staff message (the daily brief) belongs to no appeal and holds no citizen's data
        return keyring.key_for_appeal(event.appeal_id) if event.appeal_id else None
    if isinstance(event, TextRedacted):  # sealed with its appeal's key, erased with it
        # (an erased appeal's copy is made from the placeholder: no key is made for it again)
        return keyring.existing_key_for_appeal(event.appeal_id)
    if isinstance(event, AppealReceived):
        contact = event.citizen
        phone, email = (contact.phone, contact.email) if contact else (None, None)
        return keyring.key_for_received(event.originator_id, phone, email)
    return keyring.key_for_appeal(event.originator_id)


def seal(event: Any, keyring: Keyring, encoder: msgspec.json.Encoder) -> bytes:
    """The event's stored bytes with its personal fields sealed (any other event: as it is)."""
    fields = PERSONAL_FIELDS.get(type(event))
    if not fields or all(getattr(event, f) is None for f in fields):
        return encoder.encode(event)
    key = _key_of(event, keyring)
    if key is None:
        return encoder.encode(event)
    data = msgspec.to_builtins(event)
    stream: UUID = event.originator_id
    for field in fields:
        value = getattr(event, field)
        if value is not None:  # nothing to hide in a field left empty
            data[field] = key.seal(stream, field, encoder.encode(value))
    return encoder.encode(data)


def placeholder_of(erased: Erased) -> str:
    if erased.erased_on is None or erased.ground is None:
        return UNKNOWN_ERASURE
    try:
        return erasure_placeholder(erased.erased_on, ErasureGround(erased.ground))
    except ValueError:  # a ground a later version named
        return UNKNOWN_ERASURE


def open_fields(cls: type[Any], data: dict[str, Any], keyring: Keyring | None) -> dict[str, Any]:
    """``data`` (a stored event as plain values) with its sealed fields opened or, where the
    key is gone, replaced by the placeholder."""
    fields = _BY_NAME.get(cls.__name__, ())
    stream = ""
    for field in fields:
        value = data.get(field)
        if not (isinstance(value, dict) and "sealed" in value):
            continue  # recorded in clear (before sealing, or a staff message)
        stream = stream or str(data["originator_id"])  # as the JSON writes it: the AAD's form
        opened = keyring.open(stream, field, value) if keyring else Erased(None, None)
        if isinstance(opened, Erased):
            data[field] = erased_value(field, placeholder_of(opened))
        else:
            data[field] = msgspec.json.decode(opened)
    return data
