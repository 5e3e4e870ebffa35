"""The appeals' states as a batch leaves them, for the projections that keep one row per appeal.

States are folded with the domain's own ``evolve`` and kept in the runner's cache between
batches; an appeal the runner has not seen since it started (a restart, an evicted entry) is
folded from its earlier events in the log, up to the version before the batch's first."""

from __future__ import annotations

from uuid import UUID

from domain.appeals.events import AppealEvent
from domain.appeals.state import AppealState, evolve, fold
from projections.engine.model import Batch

CACHE_LIMIT = 200_000  # appeals' states kept in memory between batches (a rebuild's working set)


def fold_batch(batch: Batch) -> dict[UUID, tuple[AppealState, int]]:
    """Each appeal the batch touches: its state after the batch, and its last event's position."""
    cache: dict[UUID, AppealState] = batch.cache
    events = [e for e in batch.events if isinstance(e.event, AppealEvent)]
    first: dict[UUID, int] = {}
    for item in events:
        first.setdefault(item.event.originator_id, item.event.originator_version)
    missing = [i for i, version in first.items() if version > 1 and i not in cache]
    for appeal_id, stream in batch.streams(missing).items():
        state = fold(e for e in stream if e.originator_version < first[appeal_id])
        if state is not None:
            cache[appeal_id] = state
    touched: dict[UUID, tuple[AppealState, int]] = {}
    for item in events:
        event = item.event
        state = evolve(cache.get(event.originator_id), event)
        cache[event.originator_id] = state
        touched[event.originator_id] = (state, item.position)
    if len(cache) > CACHE_LIMIT:
        for appeal_id in list(cache)[: len(cache) - CACHE_LIMIT // 2]:
            del cache[appeal_id]
    return touched
