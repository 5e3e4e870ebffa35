"""The rebuild's decoder per stored topic (``CodecDecoder.for_topic``, used by ``EventLog``)
decodes, and refuses, exactly what ``decode_event`` does: current and old versions, sealed
fields, an erasure, bytes that are not an event."""

from __future__ import annotations

from datetime import date
from typing import Any, cast
from uuid import uuid4

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.appeals import events as ev
from domain.privacy.erasure import ErasureGround, PersonalDataErased
from infra.event_codec import EVENT_TYPES, codec_decoder, decode_event, topic_of
from infra.privacy.keyring import Keyring
from projections.engine.eventlog import EventLog
from projections.engine.failures import Undecodable
from projections.engine.model import Projection
from tests.support.appeals import answered


def _outcome(decode: Any, *args: Any) -> tuple[str, Any]:
    try:
        return ("event", decode(*args))
    except Exception as error:  # the refusal's kind is what is compared
        return ("refused", type(error))


def _stored() -> list[tuple[str, bytes]]:
    events = answered().events
    stored = [(topic_of(type(e)), msgspec.json.encode(e)) for e in events]
    registered = next(e for e in events if isinstance(e, ev.AppealRegistered))
    v1 = {k: v for k, v in msgspec.to_builtins(registered).items() if k != "deadlines"}
    stored.append(("AppealRegistered", msgspec.json.encode(v1)))  # an old version: upcast
    received = msgspec.to_builtins(events[0])
    received["citizen"] = {"sealed": "AAAA", "key": "k1:0"}  # sealed, its key unknown here
    stored.append((topic_of(ev.AppealReceived), msgspec.json.encode(received)))
    return stored


def test_every_stored_event_decodes_as_decode_event_does() -> None:
    decoder = codec_decoder(None)
    for topic, state in _stored():
        expected = decode_event(topic, state)
        assert decoder.for_topic(topic)(state) == expected
        assert decoder(topic, state) == expected


def test_the_log_decodes_a_batch_once_per_event_as_decode_event_does() -> None:
    log = EventLog(pool=None, events_table="events", decode=codec_decoder(None))  # type: ignore[arg-type]
    rows = [(i, topic, state) for i, (topic, state) in enumerate(_stored(), start=1)]
    rows.append((len(rows) + 1, "NoSuchEvent", b"{}"))
    events = log.decoded(rows, [cast(Projection, _Every())])
    assert [e.position for e in events] == [r[0] for r in rows]
    for (_, topic, state), event in zip(rows, events, strict=True):
        assert event.topic == topic.partition("@")[0]
        kind, value = _outcome(decode_event, topic, state)
        if kind == "event":
            assert event.event == value
        else:
            assert isinstance(event.event, Undecodable)


class _Every:
    name = "every"
    topics = None


@settings(max_examples=300, deadline=None)
@given(
    topic=st.sampled_from(
        sorted({topic_of(c) for c in EVENT_TYPES.values()} | {"AppealRegistered"})
    ),
    state=st.one_of(
        st.binary(max_size=64),
        st.sampled_from([s for _, s in _stored()]),
        st.sampled_from([s for _, s in _stored()]).map(lambda b: b[: len(b) // 2]),
        st.sampled_from([s for _, s in _stored()]).map(lambda b: b.replace(b'"', b"\x00", 1)),
    ),
)
def test_any_bytes_under_any_topic_decode_or_are_refused_alike(topic: str, state: bytes) -> None:
    decoder = codec_decoder(None)
    assert _outcome(decoder.for_topic(topic), state) == _outcome(decode_event, topic, state)


class _CountingKeyring:
    """Stands in for the keyring: counts ``forget`` (an erasure read from the log must make
    every reader forget its cached keys, whichever decoder reads it)."""

    def __init__(self) -> None:
        self.forgotten = 0

    def forget(self) -> None:
        self.forgotten += 1


def test_an_erasure_makes_the_keyring_forget_through_either_decoder() -> None:
    first = answered().events[0]
    erased = PersonalDataErased(
        originator_id=uuid4(),
        originator_version=1,
        timestamp=first.timestamp,
        occurred_at=first.occurred_at,
        actor=first.actor,
        erasure_id=uuid4(),
        subject_id=uuid4(),
        appeal_ids=(first.originator_id,),
        whole_subject=True,
        ground=ErasureGround.CITIZEN_REQUEST,
        erased_on=date(2026, 11, 30),
        keys=1,
    )
    topic, state = topic_of(PersonalDataErased), msgspec.json.encode(erased)
    keyring = _CountingKeyring()
    decoder = codec_decoder(cast(Keyring, keyring))
    assert decoder.for_topic(topic)(state) == erased
    assert keyring.forgotten == 1
    assert decoder.for_topic(topic)(state) == erased  # the cached decoder forgets every time
    assert decoder(topic, state) == erased
    assert keyring.forgotten == 3
    log = EventLog(pool=None, events_table="events", decode=decoder)  # type: ignore[arg-type]
    log.decoded([(1, topic, state), (2, topic, state)], [cast(Projection, _Every())])
    assert keyring.forgotten == 5
