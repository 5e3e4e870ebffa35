"""The appeal's state and ``evolve``: a pure fold of its events, the same for the aggregate,
the read model and the auditor's "as of" view. Personal data never enters the state."""

from __future__ import annotations

from collections.abc import Iterable

from domain.appeals import (
    attachment_transitions,  # noqa: F401  (registers its transition)
    procedure_transitions,  # noqa: F401  (registers its transitions)
)
from domain.appeals import events as ev
from domain.appeals.appeal_state import AppealState, Breach, started
from domain.appeals.transitions import TRANSITIONS

__all__ = ["AppealState", "Breach", "evolve", "fold", "started"]


def evolve(state: AppealState | None, event: ev.AppealEvent) -> AppealState:
    """The state after ``event``; ``None`` is the state before the appeal was received."""
    if isinstance(event, ev.AppealReceived):
        if state is not None:
            raise ValueError("an appeal can be received only once")
        return started(event)
    if state is None:
        raise ValueError(f"{type(event).__name__} before the appeal was received")
    handler = TRANSITIONS.get(type(event))
    if handler is None:
        raise TypeError(f"no evolution for {type(event).__name__}")
    return handler(event, state)


def fold(events: Iterable[ev.AppealEvent], state: AppealState | None = None) -> AppealState | None:
    for event in events:
        state = evolve(state, event)
    return state
