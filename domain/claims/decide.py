"""``decide``: the events a command produces on a claim, or a domain error naming the rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from domain.claims import commands as cmd
from domain.claims import events as ev
from domain.claims.events import REFUTABLE, Norm, Status
from domain.claims.norms import ClaimNorms
from domain.claims.state import ClaimState
from domain.shared.actors import Actor, Role
from domain.shared.envelope import Stamper
from domain.shared.errors import Forbidden, InvalidCommand, RuleViolated
from domain.shared.inputs import as_record
from domain.shared.time import ALLOWED_CLOCK_SKEW, business_time, require_aware
from domain.sla.calendar import ProductionCalendar

_STAFF = frozenset({Role.CURATOR, Role.HEAD, Role.OPERATOR, Role.EXECUTOR})
_DECIDERS = frozenset({Role.CURATOR, Role.HEAD})
_PUBLISHERS = frozenset({Role.CURATOR, Role.HEAD, Role.OPERATOR})
PERMISSIONS: dict[type[cmd.ClaimCommand], frozenset[Role]] = {
    cmd.DetectClaim: _STAFF,
    cmd.AddSource: _STAFF,
    cmd.AssessClaim: _STAFF,
    cmd.DraftRefutation: _STAFF,
    cmd.ApproveRefutation: _DECIDERS,
    cmd.PublishRefutation: _PUBLISHERS,
    cmd.ConfirmPublication: _PUBLISHERS,
    cmd.WarnTargetGroups: _PUBLISHERS,
    cmd.CloseClaim: _DECIDERS,
    cmd.RecordResurfacing: _STAFF | {Role.SYSTEM},
    cmd.RecordNormBreach: _DECIDERS | {Role.SYSTEM},
}


class ClaimClock:
    """What a detection needs to stamp its norms: the norms, the calendar, the time zone."""

    def __init__(self, norms: ClaimNorms, calendar: ProductionCalendar, timezone: str) -> None:
        self.norms = norms
        self.calendar = calendar
        self.timezone = timezone


class _Context(Stamper):
    """What every decision on a claim needs to stamp its events."""

    def __init__(
        self,
        state: ClaimState | None,
        command: cmd.ClaimCommand,
        actor: Actor,
        now: datetime,
        claim_id: UUID,
    ) -> None:
        self.state = state
        at = business_time(
            command.occurred_at,
            now,
            not_before=state.detected_at if state is not None else None,
            what="the claim's detection",
        )
        super().__init__(claim_id, state.version if state else 0, actor, now, at)
        self.claim_id = claim_id

    @property
    def s(self) -> ClaimState:
        assert self.state is not None
        return self.state


C = TypeVar("C", bound=cmd.ClaimCommand)
Handler = Callable[[Any, _Context], list[ev.ClaimEvent]]
_HANDLERS: dict[type[cmd.ClaimCommand], Handler] = {}


def _handles(kind: type[C]) -> Callable[[Callable[[C, _Context], list[ev.ClaimEvent]]], Handler]:
    def register(fn: Callable[[C, _Context], list[ev.ClaimEvent]]) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


def decide(
    state: ClaimState | None,
    command: cmd.ClaimCommand,
    *,
    actor: Actor,
    now: datetime,
    clock: ClaimClock,
    claim_id: UUID | None = None,
) -> list[ev.ClaimEvent]:
    now = require_aware(now, "now")
    allowed = PERMISSIONS[type(command)]
    if actor.role not in allowed:
        roles = ", ".join(sorted(allowed))
        raise Forbidden(f"the role '{actor.role}' may not {command.action}; allowed: {roles}")
    if isinstance(command, cmd.DetectClaim):
        if state is not None:
            raise RuleViolated("a claim is detected only once")
        if claim_id is None:
            raise InvalidCommand("a new claim needs an id")
        return _detect(command, _Context(None, command, actor, now, claim_id), clock)
    if state is None:
        raise RuleViolated("the claim has not been detected")
    if state.is_closed and not isinstance(command, cmd.RecordResurfacing):
        raise RuleViolated("the claim is closed; only 'resurfaced' reopens it")
    return _HANDLERS[type(command)](command, _Context(state, command, actor, now, state.id))


def _require_seen(sources: tuple[ev.SourcePost, ...], now: datetime) -> None:
    for source in sources:
        if require_aware(source.first_seen, "first_seen") > now + ALLOWED_CLOCK_SKEW:
            raise InvalidCommand("a source cannot be first seen in the future")


def _detect(command: cmd.DetectClaim, c: _Context, clock: ClaimClock) -> list[ev.ClaimEvent]:
    if not command.text.strip():
        raise InvalidCommand("the claim's text cannot be blank")
    _require_seen(command.sources, c.now)
    reach = sum(s.reach for s in command.sources)
    urgent = clock.norms.is_urgent(reach, command.urgent)
    verdict_due, refutation_due = clock.norms.dues(
        c.at, urgent=urgent, calendar=clock.calendar, timezone=clock.timezone
    )
    return [
        ev.ClaimDetected(
            **c.envelope(),
            text=command.text,
            topic=command.topic,
            sources=tuple(as_record(s, ev.SourcePost) for s in command.sources),
            linked_appeals=command.linked_appeals,
            urgent=urgent,
            verdict_due=verdict_due,
            refutation_due=refutation_due,
            norms=clock.norms.label(clock.calendar, clock.timezone),
        )
    ]


@_handles(cmd.AddSource)
def _add_source(command: cmd.AddSource, c: _Context) -> list[ev.ClaimEvent]:
    if any(s.url == command.source.url for s in c.s.sources):
        raise RuleViolated("this post is already a source of the claim")
    _require_seen((command.source,), c.now)
    return [ev.SourceAdded(**c.envelope(), source=as_record(command.source, ev.SourcePost))]


@_handles(cmd.AssessClaim)
def _assess(command: cmd.AssessClaim, c: _Context) -> list[ev.ClaimEvent]:
    if c.s.status not in (Status.DETECTED, Status.ASSESSED, Status.REFUTATION_DRAFTED):
        raise RuleViolated("the refutation is approved; the verdict can no longer change")
    return [
        ev.ClaimAssessed(
            **c.envelope(),
            verdict=command.verdict,
            evidence=command.evidence,
            department=command.department,
            rationale=command.rationale,
        )
    ]


def _require_refutable(c: _Context, action: str) -> None:
    if c.s.verdict is None:
        raise RuleViolated(f"{action} needs a verdict first")
    if c.s.verdict not in REFUTABLE:
        raise RuleViolated(
            f"{action} needs a verdict of false or misleading; the verdict is {c.s.verdict}"
        )


@_handles(cmd.DraftRefutation)
def _draft(command: cmd.DraftRefutation, c: _Context) -> list[ev.ClaimEvent]:
    _require_refutable(c, "a refutation")
    if c.s.status not in (Status.ASSESSED, Status.REFUTATION_DRAFTED):
        raise RuleViolated("the refutation is already approved")
    return [ev.RefutationDrafted(**c.envelope(), text=command.text, facts=command.facts)]


@_handles(cmd.ApproveRefutation)
def _approve(command: cmd.ApproveRefutation, c: _Context) -> list[ev.ClaimEvent]:
    _require_refutable(c, "approval")
    if c.s.status is not Status.REFUTATION_DRAFTED:
        raise RuleViolated("there is no drafted refutation to approve")
    return [ev.RefutationApproved(**c.envelope(), approver=command.approver)]


@_handles(cmd.PublishRefutation)
def _publish(command: cmd.PublishRefutation, c: _Context) -> list[ev.ClaimEvent]:
    if c.s.approved_at is None:
        raise RuleViolated("a refutation is published only after its approval")
    if command.channel in c.s.published_channels and c.s.last_resurfaced_at is None:
        raise RuleViolated("the refutation is already published on this channel")
    return [ev.RefutationPublished(**c.envelope(), channel=command.channel, url=command.url)]


@_handles(cmd.ConfirmPublication)
def _confirm(command: cmd.ConfirmPublication, c: _Context) -> list[ev.ClaimEvent]:
    if command.channel not in c.s.published_channels:
        raise RuleViolated("nothing was published on this channel to confirm")
    if command.channel in c.s.confirmed_channels:
        raise RuleViolated("the publication on this channel is already confirmed")
    return [
        ev.PublicationConfirmed(
            **c.envelope(), channel=command.channel, reference=command.reference
        )
    ]


@_handles(cmd.WarnTargetGroups)
def _warn(command: cmd.WarnTargetGroups, c: _Context) -> list[ev.ClaimEvent]:
    _require_refutable(c, "a warning")
    return [ev.TargetGroupsWarned(**c.envelope(), groups=command.groups, channel=command.channel)]


@_handles(cmd.CloseClaim)
def _close(command: cmd.CloseClaim, c: _Context) -> list[ev.ClaimEvent]:
    if c.s.verdict is None:
        raise RuleViolated("a claim is closed only after its verdict")
    if c.s.verdict in REFUTABLE and c.s.first_published_at is None:
        raise RuleViolated("a false or misleading claim is closed only once refuted")
    return [ev.ClaimClosed(**c.envelope(), reason=command.reason)]


@_handles(cmd.RecordResurfacing)
def _resurfaced(command: cmd.RecordResurfacing, c: _Context) -> list[ev.ClaimEvent]:
    if any(s.url == command.source.url for s in c.s.sources):
        raise RuleViolated("this post is already a source of the claim")
    _require_seen((command.source,), c.now)
    source = as_record(command.source, ev.SourcePost)
    return [ev.ClaimResurfaced(**c.envelope(), source=source, similarity=command.similarity)]


@_handles(cmd.RecordNormBreach)
def _breach(command: cmd.RecordNormBreach, c: _Context) -> list[ev.ClaimEvent]:
    s = c.s
    due, met = (
        (s.verdict_due, s.verdict_at)
        if command.norm is Norm.VERDICT
        else (s.refutation_due, s.first_published_at)
    )
    if command.norm in s.breaches:
        raise RuleViolated(f"the breach of the {command.norm} norm is already recorded")
    if met is not None and met <= due:
        raise RuleViolated(f"the {command.norm} norm was met")
    if command.norm is Norm.REFUTATION and s.verdict is not None and s.verdict not in REFUTABLE:
        raise RuleViolated("a claim found true or unverifiable needs no refutation")
    if c.now <= due:
        raise RuleViolated(f"the {command.norm} norm has not passed yet (due {due})")
    return [ev.NormBreached(**c.envelope(), norm=command.norm, due=due)]
