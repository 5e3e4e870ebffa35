"""Events as an older version of the code wrote them, before the input domain refused such values
(a NUL in a text, a reach beyond bigint, business times at the ends of the calendar): appended
to the log as they are, no input rule applied."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import msgspec

from domain.appeals import commands as cmd
from domain.appeals.decide import decide
from domain.appeals.events import AppealEvent
from tests.support.appeals import OPERATOR

if TYPE_CHECKING:
    from infra.container import Container

# business times at the ends of the calendar: year 0 and year 10000 in UTC
FIRST_MOMENT = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
LAST_MOMENT = datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-12)))


def append(container: Container, *events: Any) -> int:
    """Append events as an older version of the code wrote them (no input rule applies); the
    position of the last."""
    app = container.appeals
    recorded = app.recorder.insert_events([app.mapper.to_stored_event(e) for e in events])
    assert recorded
    return max(int(r) for r in recorded)


def decided(container: Container, appeal_id: uuid.UUID, command: cmd.Command) -> Any:
    """The one event the command decides on the appeal's state, not yet recorded."""
    app = container.appeals
    state = app.state(appeal_id)
    (event,) = decide(state, command, actor=OPERATOR, now=app.clock(), policy=app.policy)
    return event


def moved(value: Any, moment: datetime) -> Any:
    """``value`` with every business time in it (not the recording time) at ``moment``."""
    if isinstance(value, datetime):
        return moment
    if isinstance(value, tuple):
        return tuple(moved(v, moment) for v in value)
    if isinstance(value, msgspec.Struct):
        fields = value.__struct_fields__
        changes = {f: moved(getattr(value, f), moment) for f in fields if f != "timestamp"}
        return msgspec.structs.replace(value, **changes)
    return value


def copied(
    events: list[AppealEvent], moment: datetime, first: int | None = None, *, dues: bool = True
) -> list[Any]:
    """The appeal's events as a new appeal, the business times of the ``first`` of them (all:
    None) at ``moment``: every one (the deadlines computed there too), or (``dues`` False) only
    when the acts occurred."""

    def at_the_end(event: AppealEvent) -> AppealEvent:
        if dues:
            return moved(event, moment)  # type: ignore[no-any-return]
        return msgspec.structs.replace(event, occurred_at=moment)

    copy = uuid.uuid4()
    return [
        msgspec.structs.replace(
            at_the_end(e) if first is None or i < first else e, originator_id=copy
        )
        for i, e in enumerate(events)
    ]
