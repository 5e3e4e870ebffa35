"""The aggregates' states as a batch leaves them, for projections that keep one row per
aggregate (an appeal, a claim).

States are folded with the domain's own ``evolve`` and kept in the runner's cache between
batches; an aggregate the runner has not seen since it started (a restart, an evicted entry) is
folded from its earlier events in the log, up to the version before the batch's first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from projections.engine.model import Batch

S = TypeVar("S")
CACHE_LIMIT = 200_000  # states kept in memory between batches (a rebuild's working set)


def fold_batch(
    batch: Batch, event_type: type[Any], evolve: Callable[[S | None, Any], S]
) -> dict[UUID, tuple[S, int]]:
    """Each aggregate the batch touches (events of ``event_type``): its state after the batch,
    and its last event's position."""
    cache: dict[UUID, S] = batch.cache
    events = [e for e in batch.events if isinstance(e.event, event_type)]
    first: dict[UUID, int] = {}
    for item in events:
        first.setdefault(item.event.originator_id, item.event.originator_version)
    missing = [i for i, version in first.items() if version > 1 and i not in cache]
    for aggregate_id, stream in batch.streams(missing).items():
        state: S | None = None
        for event in stream:
            if isinstance(event, event_type) and event.originator_version < first[aggregate_id]:
                state = evolve(state, event)
        if state is not None:
            cache[aggregate_id] = state
    touched: dict[UUID, tuple[S, int]] = {}
    for item in events:
        event = item.event
        state = evolve(cache.get(event.originator_id), event)
        cache[event.originator_id] = state
        touched[event.originator_id] = (state, item.position)
    if len(cache) > CACHE_LIMIT:
        for aggregate_id in list(cache)[: len(cache) - CACHE_LIMIT // 2]:
            del cache[aggregate_id]
    return touched
