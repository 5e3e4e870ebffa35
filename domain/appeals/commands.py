"""Commands: what an operator, an executor or the deadline watcher asks the appeal to do.

They are msgspec structs that refuse unknown fields and hold to the input domain (the API's request
bodies map to them). ``occurred_at`` is the business time of the act when it differs from now (a
letter received yesterday); it defaults to now. ``action`` is what the rules' messages call the act.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar
from uuid import UUID

import msgspec

from domain.appeals.events import CitizenContact, Place
from domain.appeals.vocabulary import (
    Article11Part,
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
    action: ClassVar[str]  # what the rules' messages call the act: "may not register"

    occurred_at: datetime | None = None


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


# --- issue 14: the decisions of 59-ФЗ ст. 11, one command per part, and the notice they owe ---
class NoticeInput(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The citizen's notice of a ст. 11 decision: to whom, by which channel, the text's template
    (when: the command's ``occurred_at``; the text itself is rendered by the outbound service)."""

    channel: Channel
    template_id: Code
    recipient: NoticeRecipient = NoticeRecipient.CITIZEN


class Article11Decision(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What every ст. 11 decision carries; ``part`` names the part it rests on."""

    part: ClassVar[Article11Part]

    comment: Text | None = None


class LeaveAnonymousUnanswered(
    Article11Decision, frozen=True, kw_only=True, forbid_unknown_fields=True
):
    """ст.11 ч.1: no name or no address for the answer; a reported crime is forwarded."""

    action = "leave-unanswered-anonymous"
    part = Article11Part.PART_1

    crime_reported: bool = False
    crime_report_forwarded_to: ShortText | None = None


class ReturnCourtComplaint(
    Article11Decision, frozen=True, kw_only=True, forbid_unknown_fields=True
):
    """ст.11 ч.2: a complaint against a court decision, returned with how to appeal it."""

    action = "return-court-complaint"
    part = Article11Part.PART_2

    court_decision: ShortText
    appeal_explanation: Text
    notice: NoticeInput | None = None


class LeaveAbusiveUnanswered(
    Article11Decision, frozen=True, kw_only=True, forbid_unknown_fields=True
):
    """ст.11 ч.3: obscene or offensive words, threats; the citizen told abuse is not allowed."""

    action = "leave-unanswered-abusive"
    part = Article11Part.PART_3

    notice: NoticeInput | None = None


class LeaveUnreadableUnanswered(
    Article11Decision, frozen=True, kw_only=True, forbid_unknown_fields=True
):
    """ст.11 ч.4: the text cannot be read; the citizen told if the name and address can be."""

    action = "leave-unanswered-unreadable"
    part = Article11Part.PART_4

    contact_readable: bool
    notice: NoticeInput | None = None


class LeaveEssenceUnclearUnanswered(
    Article11Decision, frozen=True, kw_only=True, forbid_unknown_fields=True
):
    """ст.11 ч.4.1: the essence cannot be determined from the text; the citizen told."""

    action = "leave-unanswered-essence-unclear"
    part = Article11Part.PART_4_1

    notice: NoticeInput | None = None


class EndCorrespondence(Article11Decision, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """ст.11 ч.5: the head ends the correspondence on a question answered before."""

    action = "end-correspondence"
    part = Article11Part.PART_5

    earlier_appeals: Annotated[tuple[UUID, ...], msgspec.Meta(min_length=1, max_length=50)]
    notice: NoticeInput | None = None


class ReferToPublishedAnswer(
    Article11Decision, frozen=True, kw_only=True, forbid_unknown_fields=True
):
    """ст.11 ч.5.1: the answer is already on the official site; the citizen told its address."""

    action = "refer-to-published-answer"
    part = Article11Part.PART_5_1

    url: Url
    complains_about_court_decision: bool = False  # then ч.2 applies, not ч.5.1
    notice: NoticeInput | None = None


class DeclineSecretDisclosure(
    Article11Decision, frozen=True, kw_only=True, forbid_unknown_fields=True
):
    """ст.11 ч.6: the answer would disclose a protected secret; the citizen told."""

    action = "decline-secret-disclosure"
    part = Article11Part.PART_6

    secret: ShortText
    notice: NoticeInput | None = None


class GiveArticle11Notice(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The notice a ст. 11 decision owes, given after the decision (it closes the appeal)."""

    action = "give-article11-notice"

    notice: NoticeInput


ARTICLE11_COMMANDS: tuple[type[Command], ...] = (
    LeaveAnonymousUnanswered,
    ReturnCourtComplaint,
    LeaveAbusiveUnanswered,
    LeaveUnreadableUnanswered,
    LeaveEssenceUnclearUnanswered,
    EndCorrespondence,
    ReferToPublishedAnswer,
    DeclineSecretDisclosure,
    GiveArticle11Notice,
)


# --- ст.8 ч.4 59-ФЗ: copies to the other competent bodies (issue 14) ---------------------------
class SendCopies(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Send copies of the appeal to the bodies competent for its other questions; our part of
    the appeal stays open (ст.8 ч.4 59-ФЗ), the citizen is notified."""

    action = "send-copies"

    to_bodies: Annotated[tuple[ShortText, ...], msgspec.Meta(min_length=1, max_length=20)]
    reason: Text
    citizen_notified_at: datetime
    complaint_against: ShortText | None = None  # ст.8 ч.6: never a copy there


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
    *ARTICLE11_COMMANDS,
    SendCopies,
)


# --- ст.10 ч.1 п.2, ч.2 59-ФЗ: requests for information to other bodies ---------------------
class RequestInformation(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Send another body a request for documents and materials (ст.10 ч.1 п.2)."""

    action = "request-information"

    to_body: ShortText
    what: Text  # what is asked for


class RecordInformationReply(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Record the other body's reply to a request sent on this appeal."""

    action = "record-information-reply"

    request_id: UUID
    summary: Text  # what was received


LIFECYCLE_COMMANDS += (RequestInformation, RecordInformationReply)
