"""Commands: what an operator, an executor or the deadline watcher asks the appeal to do.

They are msgspec structs that refuse unknown fields, so the API takes them as request bodies as they
are. ``occurred_at`` is the business time of the act when it differs from now (a letter received
yesterday); it defaults to now. ``route`` is the action's name under ``/appeals/{id}/``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar
from uuid import UUID

import msgspec

from domain.appeals.events import CitizenContact, Place
from domain.appeals.vocabulary import (
    Channel,
    Deadline,
    EscalationTarget,
    Kind,
    LegalGround,
    Outcome,
    ReopenedBy,
    ReworkReason,
)
from domain.shared.inputs import Code, Input, ShortText, Text, line, text
from domain.sla.policy import ComputedDeadline

Tag = Annotated[str, line(100)]
Evidence = Annotated[str, text(2000)]


class CitizenContactInput(CitizenContact, Input, frozen=True, kw_only=True, gc=False):
    """The citizen's contact as a command gives it (the event stores a plain CitizenContact)."""

    full_name: Annotated[str, line(300)] | None = None
    phone: Annotated[str, line(50)] | None = None
    email: Annotated[str, line(300)] | None = None
    postal_address: Annotated[str, text(1000)] | None = None


class PlaceInput(Place, Input, frozen=True, kw_only=True, gc=False):
    """Where the problem is, as a command gives it (the event stores a plain Place)."""

    address: Annotated[str, line(1000)] | None = None
    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None


class Command(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route: ClassVar[str]
    summary: ClassVar[str]

    occurred_at: datetime | None = None


class ReceiveAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "receive"
    summary = "Receive a new appeal, message, incident or call"

    kind: Kind
    channel: Channel
    text: Text
    external_id: Annotated[str, line(2000)] | None = None
    citizen: CitizenContactInput | None = None
    place: PlaceInput | None = None
    # The municipality's code, for a deployment serving several (its time zone counts the
    # deadlines); None: the deployment's default municipality.
    municipality: Code | None = None


class RegisterAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "register"
    summary = "Register the appeal (59-ФЗ: within 3 days of receipt)"

    registration_number: Code | None = None


class CategoriseAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "categorise"
    summary = "Structure the appeal: topic, subtopic, essence, place, tags"

    topic: ShortText
    essence: Text
    subtopic: ShortText | None = None
    place: PlaceInput | None = None
    tags: Annotated[tuple[Tag, ...], msgspec.Meta(max_length=50)] = ()


class AssignAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "assign"
    summary = "Route the appeal to a department (and optionally an executor)"

    department: ShortText
    executor: ShortText | None = None
    sector: ShortText | None = None


class ForwardAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "forward"
    summary = "Forward the appeal to another body, with notice to the citizen"

    to_body: ShortText
    reason: Text
    citizen_notified_at: datetime


class ExtendDeadline(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "extend-deadline"
    summary = "Extend the answer deadline (+30 days at most in all)"

    days: Annotated[int, msgspec.Meta(ge=1, le=30)]
    reason: Text
    approver: ShortText
    citizen_notified_at: datetime


class PauseAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "pause"
    summary = "Stop the clock while waiting for the citizen's clarification"

    reason: Text


class ResumeAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "resume"
    summary = "Restart the clock after the citizen's clarification"


class GiveInterimAnswer(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "interim-answer"
    summary = "Give an interim answer"

    text: Text
    channel: Channel | None = None


class DraftAnswer(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "answer"
    summary = "Draft the answer on the merits, for review by the control centre"

    text: Text
    fix_date: date | None = None
    evidence: Annotated[tuple[Evidence, ...], msgspec.Meta(max_length=50)] = ()


class ApproveAnswer(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "approve-answer"
    summary = "Approve the drafted answer"

    comment: Text | None = None


class ReturnAnswerForRework(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "return-for-rework"
    summary = "Return the drafted answer for rework, with the reason"

    reason: ReworkReason
    comment: Text


class PublishAnswer(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "publish-answer"
    summary = "Send the approved answer on a channel (the appeal's own by default)"

    channel: Channel | None = None


class ConfirmAnswerDelivery(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "deliver-answer"
    summary = "Record that the channel confirmed delivery of the answer"

    delivery_reference: ShortText | None = None


class FastTrackAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "fast-track"
    summary = "Record a fast-track solution («ускоренное решение»)"

    resolution: Text


class RateSatisfaction(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "rate"
    summary = "Record the citizen's satisfaction score (1–5) with the delivered answer"

    score: Annotated[int, msgspec.Meta(ge=1, le=5)]
    comment: Text | None = None


class ReopenAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "reopen"
    summary = "Reopen an answered or closed appeal"

    reason: Text
    by: ReopenedBy


class MarkDuplicate(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "mark-duplicate"
    summary = "Mark as a duplicate of an open appeal on the same problem (closes this one)"

    duplicate_of: UUID


class LinkAsRepeat(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "link-repeat"
    summary = "Link as a repeat of an earlier appeal of the same citizen on the same issue"

    repeat_of: UUID


class LeaveWithoutAnswer(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "leave-without-answer"
    summary = "Leave without an answer on a legal ground of 59-ФЗ ст. 11 (closes the appeal)"

    ground: LegalGround
    comment: Text | None = None


class EscalateAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "escalate"
    summary = "Escalate to the head of the sector, the curator or the head"

    to: EscalationTarget
    reason: Text
    to_person: ShortText | None = None


class RecordDeadlineBreach(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "record-breach"
    summary = "Record that a deadline passed unmet (and, with escalate_to, escalate it at once)"

    deadline: Deadline
    escalate_to: EscalationTarget | None = None


class RetimeDeadlines(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Record deadlines recomputed under a corrected calendar (the system's re-timer)."""

    route = "retime-deadlines"
    summary = "Record deadlines recomputed after a calendar correction (system)"

    deadlines: Annotated[tuple[ComputedDeadline, ...], msgspec.Meta(max_length=20)]
    reason: Text


class CloseAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "close"
    summary = "Close the appeal with its final outcome"

    outcome: Outcome
    comment: Text | None = None


# The lifecycle commands addressed to an existing appeal, in the order of the appeal's life.
LIFECYCLE_COMMANDS: tuple[type[Command], ...] = (
    RegisterAppeal,
    CategoriseAppeal,
    AssignAppeal,
    ForwardAppeal,
    ExtendDeadline,
    PauseAppeal,
    ResumeAppeal,
    GiveInterimAnswer,
    DraftAnswer,
    ApproveAnswer,
    ReturnAnswerForRework,
    PublishAnswer,
    ConfirmAnswerDelivery,
    FastTrackAppeal,
    RateSatisfaction,
    ReopenAppeal,
    MarkDuplicate,
    LinkAsRepeat,
    LeaveWithoutAnswer,
    EscalateAppeal,
    RecordDeadlineBreach,
    CloseAppeal,
)
