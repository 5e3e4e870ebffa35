"""The body's stream: its composition as approved by protocols (001 §1.2), read as of a date,
and the working and expert groups its head approves (§5.1)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from domain.organisation.directory import Directory
from domain.sessions import commands as cmd
from domain.sessions import events as ev
from domain.sessions.decide import require_writer
from domain.sessions.events import BODY, Composition
from domain.shared.actors import Actor
from domain.shared.envelope import Stamper
from domain.shared.errors import InvalidCommand, RuleViolated
from domain.shared.time import business_time, require_aware


@dataclass
class BodyState:
    version: int = 0
    compositions: list[tuple[date, Composition]] = field(default_factory=list)
    groups: dict[str, ev.GroupApproved] = field(default_factory=dict)

    def composition_on(self, day: date) -> Composition | None:
        """The composition in force on ``day``: the latest approved to take effect by then."""
        found = None
        for effective, composition in sorted(self.compositions, key=lambda c: c[0]):
            if effective <= day:
                found = composition
        return found


def evolve(state: BodyState | None, event: ev.BodyEvent) -> BodyState:
    body = state if state is not None else BodyState()
    body.version = event.originator_version
    if isinstance(event, ev.CompositionApproved):
        body.compositions.append((event.effective, event.composition))
    elif isinstance(event, ev.GroupApproved):
        body.groups[event.group_id] = event
    return body


def _require_people(directory: Directory, people: list[str], on: date) -> None:
    unknown = [
        p for p in people if (person := directory.person(p)) is None or person.registered > on
    ]
    if unknown:
        raise InvalidCommand(
            f"{len(unknown)} of the people named are not in the directory on {on.isoformat()}"
        )


def decide(
    state: BodyState | None,
    command: cmd.BodyCommand,
    *,
    actor: Actor,
    now: datetime,
    directory: Directory,
    protocol_signed: Callable[[UUID], bool],
) -> list[ev.BodyEvent]:
    now = require_aware(now, "now")
    require_writer(actor, command.action)
    at = business_time(command.occurred_at, now, not_before=None, what="the body")
    stamp = Stamper(BODY, state.version if state else 0, actor, now, at)
    if isinstance(command, cmd.ApproveComposition):
        seats = [command.head, command.deputy_head, command.secretary, *command.members]
        if len(set(seats)) != len(seats):
            raise InvalidCommand("a person holds one seat in the composition")
        _require_people(directory, seats, command.effective)
        if command.session_id is not None and not protocol_signed(command.session_id):
            raise RuleViolated(
                "the composition is approved by a protocol signed by the chair and the"
                " secretary (001 §1.2, §5.6); that session's protocol is not signed"
            )
        composition = Composition(
            head=command.head,
            deputy_head=command.deputy_head,
            secretary=command.secretary,
            members=tuple(command.members),
        )
        return [
            ev.CompositionApproved(
                **stamp.envelope(),
                effective=command.effective,
                composition=composition,
                protocol=command.protocol,
                session_id=command.session_id,
            )
        ]
    if isinstance(command, cmd.ApproveGroup):
        in_force = state.composition_on(command.effective) if state else None
        if in_force is None or in_force.head != command.approved_by:
            raise RuleViolated(
                "working and expert groups are approved by the head of the МЦУ (§5.1)"
            )
        if state is not None and command.group_id in state.groups:
            raise RuleViolated("a group with this id is already approved")
        _require_people(directory, list(command.members), command.effective)
        return [
            ev.GroupApproved(
                **stamp.envelope(),
                group_id=command.group_id,
                kind=command.kind,
                name=command.name,
                topic=command.topic,
                members=tuple(command.members),
                approved_by=command.approved_by,
                effective=command.effective,
            )
        ]
    raise InvalidCommand(f"unknown command {type(command).__name__}")
