"""Each deadline counted from the event its rule names (receipt or registration) and with the
appeal's topic, so that its provenance is true; and the deadlines a new topic moves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import msgspec

from domain.appeals.state import AppealState
from domain.appeals.vocabulary import Channel, Deadline, Kind
from domain.shared.errors import InvalidCommand
from domain.sla.clock import SlaClock
from domain.sla.policy import Anchor, ComputedDeadline

RECEIPT = "AppealReceived"
REGISTRATION = "AppealRegistered"

# ЕПГУ rules (ПП РФ № 1802): the feedback platform registers a message when it receives it, so
# a message's clock starts at receipt whatever our own journal's registration date.
REGISTERED_ON_RECEIPT = frozenset({Kind.MESSAGE})
_ON_RECEIPT_STEP = (
    "Сообщение ПОС регистрируется платформой обратной связи при поступлении"
    " (ПП РФ № 1802): регистрацией считается поступление, срок считается с него."
)


def receipt_anchor(state: AppealState) -> Anchor:
    return Anchor(event=RECEIPT, version=1, at=state.received_at)


def registration_anchor(state: AppealState) -> Anchor | None:
    """The registration the law counts from: a ПОС message's receipt, else our registration."""
    if state.kind in REGISTERED_ON_RECEIPT:
        return receipt_anchor(state)
    if state.registered_at is None or state.registered_version is None:
        return None
    return Anchor(event=REGISTRATION, version=state.registered_version, at=state.registered_at)


def registered_at(state: AppealState) -> datetime | None:
    """The moment the law counts as the appeal's registration (ст.8 ч.2 59-ФЗ; ЕПГУ rules)."""
    anchor = registration_anchor(state)
    return anchor.at if anchor is not None else None


def anchors_of(kind: Kind, receipt: Anchor, registration: Anchor | None) -> dict[str, Anchor]:
    """The anchor events that have happened, by the name a rule gives them."""
    known = {RECEIPT: receipt}
    if kind in REGISTERED_ON_RECEIPT:
        known[REGISTRATION] = receipt
    elif registration is not None:
        known[REGISTRATION] = registration
    return known


def counts_from(
    clock: SlaClock, deadline: Deadline, kind: Kind, channel: Channel, topic: str | None
) -> str | None:
    """The event the rule for this deadline counts from (None: the policy sets no such rule)."""
    rule = clock.policy.rule(deadline, kind, channel, topic)
    return rule.anchor if rule is not None else None


def due(
    clock: SlaClock,
    deadline: Deadline,
    kind: Kind,
    channel: Channel,
    topic: str | None,
    anchors: Mapping[str, Anchor],
) -> ComputedDeadline | None:
    """The deadline counted from the anchor its rule names; None when the policy sets none."""
    rule = clock.policy.rule(deadline, kind, channel, topic)
    if rule is None:
        return None
    anchor = anchors.get(rule.anchor)
    if anchor is None:
        raise InvalidCommand(
            f"the SLA policy {clock.policy_id} counts the {deadline} deadline of a {kind}"
            f" from '{rule.anchor}', which has not happened when that deadline is set"
        )
    computed = clock.due(deadline, kind, channel, topic, anchor)
    assert computed is not None  # the rule was found above
    notes = []
    if rule.topic is not None:
        notes.append(f"Правило для темы «{rule.topic}».")
    if rule.anchor == REGISTRATION and anchor.event == RECEIPT:
        notes.append(_ON_RECEIPT_STEP)
    if not notes:
        return computed
    p = computed.provenance
    provenance = msgspec.structs.replace(p, steps=(*p.steps, *notes))
    return msgspec.structs.replace(computed, provenance=provenance)


def _current(state: AppealState, deadline: Deadline) -> tuple[datetime | None, bool]:
    """(due, met) for a deadline of the appeal, as the decisions judge it."""
    if deadline is Deadline.REGISTER:
        return state.register_due, state.registered_at is not None
    if deadline is Deadline.FORWARD:
        return state.forward_due, state.forwarded_to is not None or state.department is not None
    if deadline is Deadline.FIRST_REACTION:
        return state.first_reaction_due, state.first_reaction_at is not None
    return state.answer_due, state.answer_published_at is not None


def _moved_by_act(state: AppealState, deadline: Deadline) -> bool:
    """An answer deadline moved by an extension or a pause keeps its date: the extension was
    granted, and the pause counted, for that date (the re-timer replays them exactly)."""
    return deadline is Deadline.ANSWER and (
        state.extensions > 0 or state.paused_seconds > 0 or state.is_paused
    )


def set_by_source(state: AppealState, deadline: Deadline) -> bool:
    """An answer deadline a source set and that governs (``DeadlineSetBySource(governs=True)``,
    an imported history, makes the source's ``due`` the answer deadline in force) is the
    source's: no rule of ours recomputes it (issue 16). Told from the state: the answer
    deadline in force is the source's moment (a governing source's deadline moved by an act
    since, an extension or a pause, is kept by ``_moved_by_act``)."""
    return (
        deadline is Deadline.ANSWER
        and state.source_answer_due is not None
        and state.answer_due == state.source_answer_due
    )


def retimed_for_topic(
    clock: SlaClock, state: AppealState, topic: str
) -> tuple[ComputedDeadline, ...]:
    """The unmet deadlines whose rule changes with the new ``topic``, recomputed from the anchor
    that rule names (those that would not move are left out)."""
    anchors = anchors_of(state.kind, receipt_anchor(state), registration_anchor(state))
    moved: list[ComputedDeadline] = []
    for deadline in _ALL_DEADLINES:
        current, met = _current(state, deadline)
        if current is None or met or _moved_by_act(state, deadline):
            continue
        if set_by_source(state, deadline):
            continue
        old = clock.policy.rule(deadline, state.kind, state.channel, state.topic)
        new = clock.policy.rule(deadline, state.kind, state.channel, topic)
        if new is None or old == new or new.anchor not in anchors:
            continue
        again = due(clock, deadline, state.kind, state.channel, topic, anchors)
        if again is not None and again.due != current:
            moved.append(again)
    return tuple(moved)


_ALL_DEADLINES: Iterable[Deadline] = (
    Deadline.REGISTER,
    Deadline.FIRST_REACTION,
    Deadline.FORWARD,
    Deadline.ANSWER,
)
