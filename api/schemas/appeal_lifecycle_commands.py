"""The request bodies of the appeal's core lifecycle, and their routes: receipt (``RECEIVE``) and
the rows of ``CORE_LIFECYCLE``, each body's action name, summary and the domain command it maps
to (``appeal_commands.LIFECYCLE`` follows them with the procedure rows of 59-ФЗ)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.schemas.appeal_command_base import (
    AppealAction,
    AppealRequest,
    CitizenContactInput,
    Evidence,
    PlaceInput,
    Tag,
)
from api.schemas.common import Action
from domain.appeals import commands as cmd
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


class ReceiveAppeal(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    kind: Kind
    channel: Channel
    text: Text
    external_id: Annotated[str, line(2000)] | None = None
    citizen: CitizenContactInput | None = None
    place: PlaceInput | None = None
    # The municipality's code, for a deployment serving several (its time zone counts the
    # deadlines); None: the deployment's default municipality.
    municipality: Code | None = None


class RegisterAppeal(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    registration_number: Code | None = None


class CategoriseAppeal(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    topic: ShortText
    essence: Text
    subtopic: ShortText | None = None
    place: PlaceInput | None = None
    tags: Annotated[tuple[Tag, ...], msgspec.Meta(max_length=50)] = ()


class AssignAppeal(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    department: ShortText
    executor: ShortText | None = None
    sector: ShortText | None = None


class ForwardAppeal(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    to_body: ShortText
    reason: Text
    citizen_notified_at: datetime
    # ст.8 ч.6 59-ФЗ: for a complaint, whose decision or act it is about (never sent there)
    complaint_against: ShortText | None = None


class ExtendDeadline(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """ст.12 ч.2 59-ФЗ: once, by 30 days at most, by the head; the caller is the approver."""

    days: Annotated[int, msgspec.Meta(ge=1, le=30)]
    ground: ExtensionGround
    reason: Text
    information_request_id: UUID | None = None
    citizen_notified_at: datetime
    notice_channel: Channel | None = None
    notice_template: Code = "extension-notice"


class PauseAppeal(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Text


class ResumeAppeal(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Resume the appeal's clock: nothing to give but, optionally, ``occurred_at``."""


class GiveInterimAnswer(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    text: Text
    channel: Channel | None = None


class DraftAnswer(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    text: Text
    fix_date: date | None = None
    evidence: Annotated[tuple[Evidence, ...], msgspec.Meta(max_length=50)] = ()


class ApproveAnswer(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    comment: Text | None = None


class ReturnAnswerForRework(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: ReworkReason
    comment: Text


class PublishAnswer(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    channel: Channel | None = None


class ConfirmAnswerDelivery(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    delivery_reference: ShortText | None = None


class FastTrackAppeal(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    resolution: Text


class RateSatisfaction(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    score: Annotated[int, msgspec.Meta(ge=1, le=5)]
    comment: Text | None = None


class ReopenAppeal(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Text
    by: ReopenedBy


class MarkDuplicate(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    duplicate_of: UUID


class LinkAsRepeat(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    repeat_of: UUID


class LeaveWithoutAnswer(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    ground: LegalGround
    comment: Text | None = None


class EscalateAppeal(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    to: EscalationTarget
    reason: Text
    to_person: ShortText | None = None


class RecordDeadlineBreach(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    deadline: Deadline
    escalate_to: EscalationTarget | None = None


class CloseAppeal(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    outcome: Outcome
    comment: Text | None = None


RECEIVE: Action[ReceiveAppeal, cmd.ReceiveAppeal] = Action(
    "receive", "Receive a new appeal, message, incident or call", ReceiveAppeal, cmd.ReceiveAppeal
)

# The core routes under /api/v1/appeals/{appeal_id}/, in the order of the appeal's life.
CORE_LIFECYCLE: tuple[AppealAction, ...] = (
    AppealAction(
        "register",
        "Register the appeal (59-ФЗ: within 3 days of receipt)",
        RegisterAppeal,
        cmd.RegisterAppeal,
    ),
    AppealAction(
        "categorise",
        "Structure the appeal: topic, subtopic, essence, place, tags",
        CategoriseAppeal,
        cmd.CategoriseAppeal,
    ),
    AppealAction(
        "assign",
        "Route the appeal to a department (and optionally an executor)",
        AssignAppeal,
        cmd.AssignAppeal,
    ),
    AppealAction(
        "forward",
        "Forward the appeal to another body, with notice to the citizen",
        ForwardAppeal,
        cmd.ForwardAppeal,
    ),
    AppealAction(
        "extend-deadline",
        "Extend the answer deadline once, by 30 days at most (ст.12 ч.2 59-ФЗ; the head)",
        ExtendDeadline,
        cmd.ExtendDeadline,
    ),
    AppealAction(
        "pause",
        "Stop the clock while waiting for the citizen's clarification",
        PauseAppeal,
        cmd.PauseAppeal,
    ),
    AppealAction(
        "resume",
        "Restart the clock after the citizen's clarification",
        ResumeAppeal,
        cmd.ResumeAppeal,
    ),
    AppealAction(
        "interim-answer", "Give an interim answer", GiveInterimAnswer, cmd.GiveInterimAnswer
    ),
    AppealAction(
        "answer",
        "Draft the answer on the merits, for review by the control centre",
        DraftAnswer,
        cmd.DraftAnswer,
    ),
    AppealAction("approve-answer", "Approve the drafted answer", ApproveAnswer, cmd.ApproveAnswer),
    AppealAction(
        "return-for-rework",
        "Return the drafted answer for rework, with the reason",
        ReturnAnswerForRework,
        cmd.ReturnAnswerForRework,
    ),
    AppealAction(
        "publish-answer",
        "Send the approved answer on a channel (the appeal's own by default)",
        PublishAnswer,
        cmd.PublishAnswer,
    ),
    AppealAction(
        "deliver-answer",
        "Record that the channel confirmed delivery of the answer",
        ConfirmAnswerDelivery,
        cmd.ConfirmAnswerDelivery,
    ),
    AppealAction(
        "fast-track",
        "Record a fast-track solution («ускоренное решение»)",
        FastTrackAppeal,
        cmd.FastTrackAppeal,
    ),
    AppealAction(
        "rate",
        "Record the citizen's satisfaction score (1–5) with the delivered answer",
        RateSatisfaction,
        cmd.RateSatisfaction,
    ),
    AppealAction("reopen", "Reopen an answered or closed appeal", ReopenAppeal, cmd.ReopenAppeal),
    AppealAction(
        "mark-duplicate",
        "Mark as a duplicate of an open appeal on the same problem (closes this one)",
        MarkDuplicate,
        cmd.MarkDuplicate,
    ),
    AppealAction(
        "link-repeat",
        "Link as a repeat of an earlier appeal of the same citizen on the same issue",
        LinkAsRepeat,
        cmd.LinkAsRepeat,
    ),
    AppealAction(
        "leave-without-answer",
        "Leave without an answer on a legal ground of 59-ФЗ ст. 11 (closes the appeal)",
        LeaveWithoutAnswer,
        cmd.LeaveWithoutAnswer,
    ),
    AppealAction(
        "escalate",
        "Escalate to the head of the sector, the curator or the head",
        EscalateAppeal,
        cmd.EscalateAppeal,
    ),
    AppealAction(
        "record-breach",
        "Record that a deadline passed unmet (and, with escalate_to, escalate it at once)",
        RecordDeadlineBreach,
        cmd.RecordDeadlineBreach,
        system=True,
    ),
    AppealAction("close", "Close the appeal with its final outcome", CloseAppeal, cmd.CloseAppeal),
)
