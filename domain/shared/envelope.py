"""The one event envelope every stream shares: which stream and version, who acted (with their
role), the business time of the act and the time it was recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

import msgspec

from domain.shared.actors import Actor


class Envelope(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Base of every event: the fields the event store needs (``originator_id``,
    ``originator_version``), the recording time (``timestamp``), the business time of the act
    (``occurred_at``) and the actor (who, in which role). Events are forever: a change of meaning
    is a new event type or a new ``class_version`` with an upcaster, never an edit of a field."""

    class_version: ClassVar[int] = 1

    originator_id: UUID
    originator_version: int
    timestamp: datetime  # when the event was recorded
    occurred_at: datetime  # business time of the act
    actor: Actor


class Stamper:
    """Stamps the envelopes of the events one decision produces: the stream, consecutive versions
    after ``version``, now as the recording time, ``at`` as the business time, the actor."""

    def __init__(
        self, stream_id: UUID, version: int, actor: Actor, now: datetime, at: datetime
    ) -> None:
        self.stream_id = stream_id
        self.actor = actor
        self.now = now
        self.at = at
        self.next_version = version + 1

    def envelope(self) -> dict[str, Any]:
        version = self.next_version
        self.next_version += 1
        return {
            "originator_id": self.stream_id,
            "originator_version": version,
            "timestamp": self.now,
            "occurred_at": self.at,
            "actor": self.actor,
        }
