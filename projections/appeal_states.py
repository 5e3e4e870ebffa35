"""The appeals' states as a batch leaves them, shared by the appeals and SLA views (one fold of
the batch for both: ``projections/engine/fold.py``)."""

from __future__ import annotations

from domain.appeals.events import AppealEvent
from domain.appeals.state import AppealState, evolve
from projections.engine.fold import fold_batch as fold_aggregates
from projections.engine.model import Batch


def fold_batch(batch: Batch) -> dict[int, tuple[AppealState, int]]:
    """Each appeal the batch touches: its state after the batch, and its last event's position."""
    return fold_aggregates(batch, AppealEvent, evolve)
