"""The claim's state and ``evolve``: a pure fold of its events."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.claims import events as ev
from domain.claims.events import Norm, SourcePost, Status, Verdict


class ClaimState(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    id: UUID
    version: int
    status: Status
    text: str
    topic: str | None
    sources: tuple[SourcePost, ...]
    linked_appeals: tuple[UUID, ...]
    urgent: bool
    detected_at: datetime
    verdict_due: datetime
    refutation_due: datetime
    norms: str
    last_recorded_at: datetime
    verdict: Verdict | None = None
    verdict_at: datetime | None = None
    evidence: tuple[str, ...] = ()
    department: str | None = None
    refutation: str | None = None
    drafted_at: datetime | None = None
    approved_at: datetime | None = None
    published_channels: tuple[str, ...] = ()
    published_urls: tuple[str, ...] = ()
    first_published_at: datetime | None = None
    confirmed_channels: tuple[str, ...] = ()
    warned_groups: tuple[str, ...] = ()
    closed_at: datetime | None = None
    close_reason: str | None = None
    resurfaced: int = 0
    last_resurfaced_at: datetime | None = None
    breaches: tuple[Norm, ...] = ()

    @property
    def reach(self) -> int:
        return sum(s.reach for s in self.sources)

    @property
    def is_closed(self) -> bool:
        return self.status is Status.CLOSED


_HANDLERS: dict[type[ev.ClaimEvent], Callable[[Any, ClaimState], dict[str, Any]]] = {}


def _on(cls: type[ev.ClaimEvent]) -> Callable[[Callable[[Any, ClaimState], dict[str, Any]]], None]:
    def register(fn: Callable[[Any, ClaimState], dict[str, Any]]) -> None:
        _HANDLERS[cls] = fn

    return register


@_on(ev.SourceAdded)
def _source(e: ev.SourceAdded, s: ClaimState) -> dict[str, Any]:
    return {"sources": (*s.sources, e.source)}


@_on(ev.ClaimAssessed)
def _assessed(e: ev.ClaimAssessed, s: ClaimState) -> dict[str, Any]:
    return {
        "status": Status.ASSESSED,
        "verdict": e.verdict,
        "verdict_at": s.verdict_at or e.occurred_at,  # the first verdict meets the norm
        "evidence": e.evidence,
        "department": e.department,
        "refutation": None,
        "drafted_at": None,
        "approved_at": None,
    }


@_on(ev.RefutationDrafted)
def _drafted(e: ev.RefutationDrafted, s: ClaimState) -> dict[str, Any]:
    return {
        "status": Status.REFUTATION_DRAFTED,
        "refutation": e.text,
        "drafted_at": e.occurred_at,
        "approved_at": None,
    }


@_on(ev.RefutationApproved)
def _approved(e: ev.RefutationApproved, s: ClaimState) -> dict[str, Any]:
    return {"status": Status.REFUTATION_APPROVED, "approved_at": e.occurred_at}


@_on(ev.RefutationPublished)
def _published(e: ev.RefutationPublished, s: ClaimState) -> dict[str, Any]:
    return {
        "status": Status.PUBLISHED,
        "published_channels": (*s.published_channels, e.channel),
        "published_urls": (*s.published_urls, *([e.url] if e.url else [])),
        "first_published_at": s.first_published_at or e.occurred_at,
    }


@_on(ev.PublicationConfirmed)
def _confirmed(e: ev.PublicationConfirmed, s: ClaimState) -> dict[str, Any]:
    return {"confirmed_channels": (*s.confirmed_channels, e.channel)}


@_on(ev.TargetGroupsWarned)
def _warned(e: ev.TargetGroupsWarned, s: ClaimState) -> dict[str, Any]:
    return {"warned_groups": tuple(dict.fromkeys((*s.warned_groups, *e.groups)))}


@_on(ev.ClaimClosed)
def _closed(e: ev.ClaimClosed, s: ClaimState) -> dict[str, Any]:
    return {"status": Status.CLOSED, "closed_at": e.occurred_at, "close_reason": e.reason}


@_on(ev.ClaimResurfaced)
def _resurfaced(e: ev.ClaimResurfaced, s: ClaimState) -> dict[str, Any]:
    reopened = s.status
    if s.is_closed:  # back to where its answer stands
        if s.approved_at is not None:
            reopened = Status.PUBLISHED if s.first_published_at else Status.REFUTATION_APPROVED
        else:
            reopened = Status.ASSESSED if s.verdict is not None else Status.DETECTED
    return {
        "status": reopened,
        "sources": (*s.sources, e.source),
        "resurfaced": s.resurfaced + 1,
        "last_resurfaced_at": e.occurred_at,
        "closed_at": None,
        "close_reason": None,
    }


@_on(ev.NormBreached)
def _breached(e: ev.NormBreached, s: ClaimState) -> dict[str, Any]:
    return {"breaches": (*s.breaches, e.norm)}


def evolve(state: ClaimState | None, event: ev.ClaimEvent) -> ClaimState:
    if isinstance(event, ev.ClaimDetected):
        if state is not None:
            raise ValueError("a claim is detected only once")
        return ClaimState(
            id=event.originator_id,
            version=event.originator_version,
            status=Status.DETECTED,
            text=event.text,
            topic=event.topic,
            sources=event.sources,
            linked_appeals=event.linked_appeals,
            urgent=event.urgent,
            detected_at=event.occurred_at,
            verdict_due=event.verdict_due,
            refutation_due=event.refutation_due,
            norms=event.norms,
            last_recorded_at=event.timestamp,
        )
    if state is None:
        raise ValueError(f"{type(event).__name__} before the claim was detected")
    changes = _HANDLERS[type(event)](event, state)
    return msgspec.structs.replace(
        state, version=event.originator_version, last_recorded_at=event.timestamp, **changes
    )


def fold(events: Iterable[ev.ClaimEvent]) -> ClaimState | None:
    state: ClaimState | None = None
    for event in events:
        state = evolve(state, event)
    return state
