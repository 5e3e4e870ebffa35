"""Events are stored as msgspec JSON under stable topics, and old versions are upcast on read."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec
from eventsourcing.persistence import JSONTranscoder, StoredEvent

from domain.appeals import events as ev
from domain.appeals.events import AppealEvent
from infra import event_codec
from infra.event_codec import MsgspecMapper, decode_event, topic_of
from tests.support.appeals import answered


def test_every_event_of_a_life_survives_the_store_unchanged() -> None:
    mapper = MsgspecMapper(JSONTranscoder())
    events = answered().events
    for event in events:
        stored = mapper.to_stored_event(event)
        assert stored.topic == topic_of(type(event))
        assert mapper.to_domain_event(stored) == event


def test_topics_do_not_depend_on_module_paths() -> None:
    assert topic_of(ev.AppealCategorised) == "AppealCategorised"
    # v2 records deadline provenance, v3 the municipality and its time zone
    assert topic_of(ev.AppealReceived) == "AppealReceived@3"
    assert all(":" not in topic_of(cls) for cls in ev.APPEAL_EVENT_TYPES)


class _Renamed(AppealEvent, frozen=True, kw_only=True):
    """A v2 of an event whose v1 called the field ``note``."""

    class_version: ClassVar[int] = 2
    comment: str

    @staticmethod
    def upcast_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
        data["comment"] = data.pop("note")
        return data


def test_an_old_version_is_upcast_when_read(monkeypatch: Any) -> None:
    monkeypatch.setitem(event_codec.EVENT_TYPES, "_Renamed", _Renamed)
    source = answered().events[0]
    v1 = (
        b'{"originator_id":"' + str(source.originator_id).encode() + b'","originator_version":9,'
        b'"timestamp":"2026-03-02T09:00:00Z","occurred_at":"2026-03-02T09:00:00Z",'
        b'"actor":{"id":"op-1","role":"operator","name":"x"},"note":"old words"}'
    )
    upcast = decode_event("_Renamed", v1)
    assert isinstance(upcast, _Renamed) and upcast.comment == "old words"
    assert topic_of(_Renamed) == "_Renamed@2"
    stored = StoredEvent(source.originator_id, 9, "_Renamed", v1)
    assert MsgspecMapper(JSONTranscoder()).to_domain_event(stored) == upcast


def test_a_version_1_event_reads_as_version_2_without_provenance() -> None:
    registered = next(e for e in answered().events if isinstance(e, ev.AppealRegistered))
    stored_v1 = msgspec.json.encode(
        {k: v for k, v in msgspec.to_builtins(registered).items() if k != "deadlines"}
    )
    old = decode_event("AppealRegistered", stored_v1)
    assert isinstance(old, ev.AppealRegistered) and old.deadlines == ()
    assert old.answer_due == registered.answer_due


def test_a_version_2_receipt_reads_as_version_3_in_the_zone_its_deadlines_name() -> None:
    received = answered().events[0]
    assert isinstance(received, ev.AppealReceived) and received.deadlines
    data = msgspec.to_builtins(received)
    stored_v2 = msgspec.json.encode(
        {k: v for k, v in data.items() if k not in ("municipality", "timezone")}
    )
    old = decode_event("AppealReceived@2", stored_v2)
    assert isinstance(old, ev.AppealReceived)
    assert old.municipality is None
    assert old.timezone == received.deadlines[0].provenance.timezone == "Europe/Moscow"
    stored_v1 = msgspec.json.encode(
        {k: v for k, v in data.items() if k not in ("municipality", "timezone", "deadlines")}
    )
    oldest = decode_event("AppealReceived", stored_v1)
    assert isinstance(oldest, ev.AppealReceived)
    assert (oldest.deadlines, oldest.municipality, oldest.timezone) == ((), None, None)
    assert oldest.register_due == received.register_due
