"""The appeals' request bodies, and the table of their routes: each body's action name, summary
and the domain command it maps to. The input rules are the domain's (``domain.shared.inputs``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from api.schemas.common import Action
from domain.appeals import commands as cmd
from domain.appeals.vocabulary import (
    Channel,
    Deadline,
    EscalationTarget,
    ExtensionGround,
    Kind,
    LegalGround,
    NoticeRecipient,
    Outcome,
    ReopenedBy,
    ReworkReason,
)
from domain.shared.inputs import Code, Input, ShortText, Text, Url, line, text

Tag = Annotated[str, line(100)]
Evidence = Annotated[str, text(2000)]


class CitizenContactInput(Input, frozen=True, kw_only=True, gc=False):
    full_name: Annotated[str, line(300)] | None = None
    phone: Annotated[str, line(50)] | None = None
    email: Annotated[str, line(300)] | None = None
    postal_address: Annotated[str, text(1000)] | None = None


class PlaceInput(Input, frozen=True, kw_only=True, gc=False):
    address: Annotated[str, line(1000)] | None = None
    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None


class AppealRequest(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``occurred_at``: the business time of the act when it differs from now (a letter received
    yesterday); it defaults to now."""

    occurred_at: datetime | None = None


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
    pass


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


# --- ст.8 ч.4 59-ФЗ: copies to the other competent bodies (issue 14) ---------------------------
class SendCopies(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    to_bodies: Annotated[tuple[ShortText, ...], msgspec.Meta(min_length=1, max_length=20)]
    reason: Text
    citizen_notified_at: datetime
    complaint_against: ShortText | None = None


AppealAction = Action[Any, cmd.Command]

RECEIVE: Action[ReceiveAppeal, cmd.ReceiveAppeal] = Action(
    "receive", "Receive a new appeal, message, incident or call", ReceiveAppeal, cmd.ReceiveAppeal
)

# The routes under /api/v1/appeals/{appeal_id}/, in the order of the appeal's life.


# --- issue 14: the decisions of 59-ФЗ ст. 11, one per part, and the notice they owe ---
class NoticeInput(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The citizen's notice: by which channel, the text's template, to whom (the citizen by
    default); when: the request's ``occurred_at``."""

    channel: Channel
    template_id: Code
    recipient: NoticeRecipient = NoticeRecipient.CITIZEN


class LeaveAnonymousUnanswered(
    AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True
):
    comment: Text | None = None
    crime_reported: bool = False
    crime_report_forwarded_to: ShortText | None = None


class ReturnCourtComplaint(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    comment: Text | None = None
    court_decision: ShortText
    appeal_explanation: Text
    notice: NoticeInput | None = None


class LeaveAbusiveUnanswered(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    comment: Text | None = None
    notice: NoticeInput | None = None


class LeaveUnreadableUnanswered(
    AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True
):
    comment: Text | None = None
    contact_readable: bool
    notice: NoticeInput | None = None


class LeaveEssenceUnclearUnanswered(
    AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True
):
    comment: Text | None = None
    notice: NoticeInput | None = None


class EndCorrespondence(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    comment: Text | None = None
    earlier_appeals: Annotated[tuple[UUID, ...], msgspec.Meta(min_length=1, max_length=50)]
    notice: NoticeInput | None = None


class ReferToPublishedAnswer(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    comment: Text | None = None
    url: Url
    complains_about_court_decision: bool = False
    notice: NoticeInput | None = None


class DeclineSecretDisclosure(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    comment: Text | None = None
    secret: ShortText
    notice: NoticeInput | None = None


class GiveArticle11Notice(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    notice: NoticeInput


LIFECYCLE: tuple[AppealAction, ...] = (
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
    AppealAction(
        "send-copies",
        "Send copies to the bodies competent for the appeal's other questions"
        " (59-ФЗ ст.8 ч.4: within 7 days of registration; our part stays open)",
        SendCopies,
        cmd.SendCopies,
    ),
    # issue 14: 59-ФЗ ст. 11, one decision per part (a notice owed closes the appeal when given)
    AppealAction(
        "leave-unanswered-anonymous",
        "ст.11 ч.1 59-ФЗ: no name or address; a reported crime is forwarded (closes)",
        LeaveAnonymousUnanswered,
        cmd.LeaveAnonymousUnanswered,
    ),
    AppealAction(
        "return-court-complaint",
        "ст.11 ч.2 59-ФЗ: return a complaint against a court decision within 7 days",
        ReturnCourtComplaint,
        cmd.ReturnCourtComplaint,
    ),
    AppealAction(
        "leave-unanswered-abusive",
        "ст.11 ч.3 59-ФЗ: obscenity or threats; the citizen told abuse is not allowed",
        LeaveAbusiveUnanswered,
        cmd.LeaveAbusiveUnanswered,
    ),
    AppealAction(
        "leave-unanswered-unreadable",
        "ст.11 ч.4 59-ФЗ: unreadable; the citizen told within 7 days if the address is readable",
        LeaveUnreadableUnanswered,
        cmd.LeaveUnreadableUnanswered,
    ),
    AppealAction(
        "leave-unanswered-essence-unclear",
        "ст.11 ч.4.1 59-ФЗ: the essence cannot be determined; the citizen told within 7 days",
        LeaveEssenceUnclearUnanswered,
        cmd.LeaveEssenceUnclearUnanswered,
    ),
    AppealAction(
        "end-correspondence",
        "ст.11 ч.5 59-ФЗ: the head ends the correspondence on a question answered before",
        EndCorrespondence,
        cmd.EndCorrespondence,
    ),
    AppealAction(
        "refer-to-published-answer",
        "ст.11 ч.5.1 59-ФЗ: the answer is on the official site; its address within 7 days",
        ReferToPublishedAnswer,
        cmd.ReferToPublishedAnswer,
    ),
    AppealAction(
        "decline-secret-disclosure",
        "ст.11 ч.6 59-ФЗ: the answer would disclose a protected secret; the citizen told",
        DeclineSecretDisclosure,
        cmd.DeclineSecretDisclosure,
    ),
    AppealAction(
        "give-article11-notice",
        "Record the notice a ст.11 59-ФЗ decision owes the citizen (closes the appeal)",
        GiveArticle11Notice,
        cmd.GiveArticle11Notice,
    ),
)


# --- ст.10 ч.1 п.2, ч.2 59-ФЗ: requests for information to other bodies ---------------------
class RequestInformation(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    to_body: ShortText
    what: Text


class RecordInformationReply(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    request_id: UUID
    summary: Text


LIFECYCLE += (
    AppealAction(
        "request-information",
        "Request documents from another body (ст.10 ч.2 59-ФЗ: it answers within 15 days)",
        RequestInformation,
        cmd.RequestInformation,
    ),
    AppealAction(
        "record-information-reply",
        "Record the other body's reply to a request for information",
        RecordInformationReply,
        cmd.RecordInformationReply,
    ),
)
