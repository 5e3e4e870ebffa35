"""The appeal's lifecycle commands: receipt, registration, routing, the answer and its review,
closing, reopening, escalation and the deadline watcher's records (see ``command_base``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from domain.appeals.command_base import CitizenContactInput, Command, Evidence, PlaceInput, Tag
from domain.appeals.vocabulary import (
    Channel,
    Deadline,
    EscalationTarget,
    ExtensionGround,
    Kind,
    LegalGround,
    Outcome,
    ReopenedBy,
    ReworkReason,
)
from domain.shared.inputs import Code, ShortText, Text, line
from domain.sla.policy import ComputedDeadline


class ReceiveAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "receive"

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
    action = "register"

    registration_number: Code | None = None


class CategoriseAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "categorise"

    topic: ShortText
    essence: Text
    subtopic: ShortText | None = None
    place: PlaceInput | None = None
    tags: Annotated[tuple[Tag, ...], msgspec.Meta(max_length=50)] = ()


class AssignAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "assign"

    department: ShortText
    executor: ShortText | None = None
    sector: ShortText | None = None


class ForwardAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "forward"

    to_body: ShortText
    reason: Text
    citizen_notified_at: datetime
    # ст.8 ч.6 59-ФЗ: for a complaint, the body or official whose decision or act it is about;
    # the complaint is never sent there.
    complaint_against: ShortText | None = None


class ExtendDeadline(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """ст.12 ч.2 59-ФЗ: the head (or a person authorised) extends the answer term once, on one
    of the law's grounds; the deciding actor is recorded as the approver."""

    action = "extend-deadline"

    days: Annotated[int, msgspec.Meta(ge=1, le=30)]
    ground: ExtensionGround
    reason: Text  # the explanation of the ground
    # With the ground "information requested": the request (ст.10 ч.2) sent on this appeal.
    information_request_id: UUID | None = None
    citizen_notified_at: datetime
    notice_channel: Channel | None = None  # None: the appeal's own channel
    notice_template: Code = "extension-notice"


class PauseAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "pause"

    reason: Text


class ResumeAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "resume"


class GiveInterimAnswer(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "interim-answer"

    text: Text
    channel: Channel | None = None


class DraftAnswer(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "answer"

    text: Text
    fix_date: date | None = None
    evidence: Annotated[tuple[Evidence, ...], msgspec.Meta(max_length=50)] = ()


class ApproveAnswer(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "approve-answer"

    comment: Text | None = None


class ReturnAnswerForRework(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "return-for-rework"

    reason: ReworkReason
    comment: Text


class PublishAnswer(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "publish-answer"

    channel: Channel | None = None


class ConfirmAnswerDelivery(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "deliver-answer"

    delivery_reference: ShortText | None = None


class FastTrackAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "fast-track"

    resolution: Text


class RateSatisfaction(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "rate"

    score: Annotated[int, msgspec.Meta(ge=1, le=5)]
    comment: Text | None = None


class ReopenAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "reopen"

    reason: Text
    by: ReopenedBy


class MarkDuplicate(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "mark-duplicate"

    duplicate_of: UUID


class LinkAsRepeat(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "link-repeat"

    repeat_of: UUID


class LeaveWithoutAnswer(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "leave-without-answer"

    ground: LegalGround
    comment: Text | None = None


class EscalateAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "escalate"

    to: EscalationTarget
    reason: Text
    to_person: ShortText | None = None


class RecordDeadlineBreach(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "record-breach"

    deadline: Deadline
    escalate_to: EscalationTarget | None = None


class RetimeDeadlines(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Record deadlines recomputed under a corrected calendar (the system's re-timer)."""

    action = "retime-deadlines"

    deadlines: Annotated[tuple[ComputedDeadline, ...], msgspec.Meta(max_length=20)]
    reason: Text


class CloseAppeal(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "close"

    outcome: Outcome
    comment: Text | None = None


# The core lifecycle commands addressed to an existing appeal, in the order of the appeal's life
# (``commands.LIFECYCLE_COMMANDS`` follows them with the procedure commands of 59-ФЗ).
CORE_COMMANDS: tuple[type[Command], ...] = (
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
