"""``decide`` for a session: the events a command produces, or a domain error naming the rule
and the seed clause it comes from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

from domain.sessions import commands as cmd
from domain.sessions import events as ev
from domain.sessions.events import ChairBasis, Choice, Composition
from domain.sessions.session import SessionState, Stage
from domain.sessions.statute import STATUTES, Seat, Statute
from domain.shared.actors import Actor, Role
from domain.shared.envelope import Stamper
from domain.shared.errors import Forbidden, InvalidCommand, NotFound, RuleViolated
from domain.shared.inputs import as_record
from domain.shared.time import business_time, require_aware

# the МЦУ's staff, its head and administrators write; auditors and analysts read
WRITERS = frozenset({Role.CURATOR, Role.HEAD, Role.ADMINISTRATOR, Role.OPERATOR})
READERS = WRITERS | {Role.AUDITOR, Role.ANALYST}


class NoQuorum(RuleViolated):
    code = "no-quorum"


class NotAMember(RuleViolated):
    code = "not-a-member"


class AlreadyVoted(RuleViolated):
    code = "already-voted"


class NotASignatory(RuleViolated):
    code = "not-a-signatory"


def require_writer(actor: Actor, action: str) -> None:
    if actor.role not in WRITERS:
        roles = ", ".join(sorted(WRITERS))
        raise Forbidden(f"the role '{actor.role}' may not {action}; allowed: {roles}")


def decide(
    state: SessionState | None,
    command: cmd.SessionCommand,
    *,
    actor: Actor,
    now: datetime,
    session_id: UUID,
    composition_on: Callable[[date], Composition | None],
    statute: str,
) -> list[ev.SessionEvent]:
    now = require_aware(now, "now")
    require_writer(actor, command.action)
    at = business_time(
        command.occurred_at,
        now,
        not_before=state.scheduled_at if state else None,
        what="the session's scheduling",
    )
    stamp = Stamper(session_id, state.version if state else 0, actor, now, at)
    if isinstance(command, cmd.ScheduleSession):
        if state is not None:
            raise RuleViolated("the session is already scheduled")
        return _schedule(command, stamp, composition_on, statute)
    if state is None:
        raise NotFound("there is no such session")
    rules = STATUTES[state.statute]
    if isinstance(command, cmd.RecordAttendance):
        return _attendance(command, state, stamp, rules)
    if isinstance(command, cmd.CastVote):
        return _vote(command, state, stamp, rules)
    if isinstance(command, cmd.CloseVoting):
        return _close(command, state, stamp, rules)
    return _protocol(command, state, stamp)


def _protocol(
    command: cmd.SessionCommand, state: SessionState, stamp: Stamper
) -> list[ev.SessionEvent]:
    if isinstance(command, cmd.DraftProtocol):
        return _draft(command, state, stamp)
    if isinstance(command, cmd.SignProtocol):
        return _sign(command, state, stamp)
    if isinstance(command, cmd.PublishProtocol):
        if state.stage is not Stage.SIGNED:
            raise RuleViolated(
                "the protocol is published only once signed by the chair and the secretary (§5.6)"
            )
        return [ev.ProtocolPublished(**stamp.envelope(), where=command.where)]
    raise InvalidCommand(f"unknown command {type(command).__name__}")


def _schedule(
    command: cmd.ScheduleSession,
    stamp: Stamper,
    composition_on: Callable[[date], Composition | None],
    statute: str,
) -> list[ev.SessionEvent]:
    composition = composition_on(command.held_on)
    if composition is None:
        raise RuleViolated(
            "no composition of the МЦУ approved by a protocol is in force on the session date"
            " (001 §1.2)"
        )
    agenda = tuple(
        ev.AgendaItem(
            title=item.title,
            proposal=item.proposal,
            cites=as_record(item.cites, ev.Citations),
        )
        for item in command.agenda
    )
    return [
        ev.SessionScheduled(
            **stamp.envelope(),
            held_on=command.held_on,
            format=command.format,
            statute=statute,
            composition=composition,
            agenda=agenda,
        )
    ]


def _chair(
    composition: Composition, present: set[str], instructed: bool, rules: Statute
) -> tuple[str, ChairBasis]:
    """§5.1: the head chairs; in the head's absence or on the head's instruction, the deputy."""
    holders = {Seat.HEAD: composition.head, Seat.DEPUTY_HEAD: composition.deputy_head}
    head = holders[rules.chairs[0]]
    deputy = holders[rules.chairs[1]]
    if head in present and not instructed:
        return head, ChairBasis.HEAD
    if deputy in present:
        return deputy, ChairBasis.HEAD_INSTRUCTION if head in present else ChairBasis.HEAD_ABSENT
    if head not in present:
        raise RuleViolated(
            "neither the head nor the deputy head takes part: nobody may chair the session (§5.1)"
        )
    raise RuleViolated("the head instructs the deputy head to chair, but the deputy is absent")


def _attendance(
    command: cmd.RecordAttendance, s: SessionState, stamp: Stamper, rules: Statute
) -> list[ev.SessionEvent]:
    if s.stage is not Stage.SCHEDULED:
        raise RuleViolated("the attendance is recorded once, before the first vote")
    members = set(s.composition.everyone)
    strangers = [p for p in command.taking_part if p not in members]
    if strangers:
        raise NotAMember(
            f"{len(strangers)} of those listed as taking part are not members of the МЦУ"
            " on the session date (001 §1.2)"
        )
    if len(set(command.taking_part)) != len(command.taking_part):
        raise InvalidCommand("a member is listed twice as taking part")
    chair, basis = _chair(
        s.composition, set(command.taking_part), command.head_instructs_deputy, rules
    )
    return [
        ev.AttendanceRecorded(
            **stamp.envelope(),
            taking_part=tuple(sorted(command.taking_part)),
            chair=chair,
            chair_basis=basis,
        )
    ]


def _require_quorum(s: SessionState, rules: Statute) -> None:
    members = len(s.composition.everyone)
    if not rules.has_quorum(len(s.taking_part), members):
        raise NoQuorum(
            f"the session has no quorum: {len(s.taking_part)} of {members} members take part,"
            f" more than half ({rules.quorum(members)}) are needed (§5.3)"
        )


def _open_item(s: SessionState, item: int) -> None:
    if s.stage is Stage.SCHEDULED:
        raise RuleViolated("votes begin once the attendance is recorded")
    if s.stage is not Stage.IN_SESSION:
        raise RuleViolated("the protocol is drafted: the voting is over")
    if item > len(s.agenda):
        raise InvalidCommand(f"the agenda has {len(s.agenda)} items; there is no item {item}")
    if s.outcome(item) is not None:
        raise RuleViolated(f"the voting on item {item} is closed")


def _vote(
    command: cmd.CastVote, s: SessionState, stamp: Stamper, rules: Statute
) -> list[ev.SessionEvent]:
    _open_item(s, command.item)
    _require_quorum(s, rules)
    if command.member not in s.composition.everyone:
        raise NotAMember("only a member of the МЦУ votes (§5.5); this person is not a member")
    if command.member not in s.taking_part:
        raise NotAMember("this member does not take part in the session and cannot vote (§5.4)")
    if any(m == command.member for m, _ in s.votes_on(command.item)):
        raise AlreadyVoted(
            f"each member has one vote (§5.5): this member voted on item {command.item}"
        )
    return [
        ev.VoteCast(
            **stamp.envelope(), item=command.item, member=command.member, choice=command.choice
        )
    ]


def _close(
    command: cmd.CloseVoting, s: SessionState, stamp: Stamper, rules: Statute
) -> list[ev.SessionEvent]:
    _open_item(s, command.item)
    _require_quorum(s, rules)
    votes = s.votes_on(command.item)
    count = {c: sum(1 for _, v in votes if v is c) for c in Choice}
    chair_vote = next((c for m, c in votes if m == s.chair), None)
    adopted, by_chair = rules.outcome(
        count[Choice.FOR], len(s.taking_part), chair_vote is Choice.FOR if chair_vote else None
    )
    kind = ev.DecisionAdopted if adopted else ev.DecisionRejected
    return [
        kind(
            **stamp.envelope(),
            item=command.item,
            votes_for=count[Choice.FOR],
            votes_against=count[Choice.AGAINST],
            abstained=count[Choice.ABSTAIN],
            taking_part=len(s.taking_part),
            by_chairs_vote=by_chair,
        )
    ]


def _draft(command: cmd.DraftProtocol, s: SessionState, stamp: Stamper) -> list[ev.SessionEvent]:
    if s.stage not in (Stage.IN_SESSION, Stage.PROTOCOL_DRAFTED):
        raise RuleViolated("the protocol is drafted after the session, before it is signed")
    if s.signed_by:
        raise RuleViolated("the protocol is signed: it can no longer change")
    open_items = [i for i in range(1, len(s.agenda) + 1) if s.outcome(i) is None]
    if open_items:
        raise RuleViolated(f"{len(open_items)} agenda items are not voted on yet")
    return [ev.ProtocolDrafted(**stamp.envelope(), number=command.number, text=command.text)]


def _sign(command: cmd.SignProtocol, s: SessionState, stamp: Stamper) -> list[ev.SessionEvent]:
    """§5.6: the protocol is signed by the chair and by the secretary: two acts."""
    if s.stage not in (Stage.PROTOCOL_DRAFTED,):
        raise RuleViolated("only a drafted, not yet fully signed protocol is signed")
    capacities = [
        c
        for c, who in (("chair", s.chair), ("secretary", s.composition.secretary))
        if who == command.signer
    ]
    if not capacities:
        raise NotASignatory(
            "the protocol is signed only by the chair of the session and the secretary (§5.6)"
        )
    signed = {c for c, _ in s.signed_by}
    pending = [c for c in capacities if c not in signed]
    if not pending:
        raise RuleViolated("this signatory has already signed the protocol")
    return [
        ev.ProtocolSigned(**stamp.envelope(), signer=command.signer, capacity=c) for c in pending
    ]
