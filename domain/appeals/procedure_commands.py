"""The procedure commands of 59-ФЗ (issue 14): the ст. 11 decisions and the notice they owe,
copies to the other competent bodies (ст. 8 ч. 4) and requests for information (ст. 10)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar
from uuid import UUID

import msgspec

from domain.appeals.command_base import Command
from domain.appeals.vocabulary import Article11Part, Channel, NoticeRecipient
from domain.shared.inputs import Code, Input, ShortText, Text, Url


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


# --- ст.8 ч.7 59-ФЗ: a complaint that can go nowhere else is returned (issue 14) ---------------
class ReturnComplaint(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Return to the citizen a complaint that cannot be sent to the competent body because of
    the ban of ст.8 ч.6, explaining the right to appeal the decision or act in court; the
    appeal closes (ст.8 ч.7 59-ФЗ). The notice's time is the command's ``occurred_at``."""

    action = "return-complaint"

    reason: Text  # why the complaint can go to no other body
    court_explanation: Text  # the right to appeal the decision or act in court
    notice: NoticeInput
    complaint_against: ShortText | None = None  # None: the one the appeal already names


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


# The procedure commands addressed to an existing appeal, in the order ``LIFECYCLE_COMMANDS``
# has always listed them (after the core lifecycle's).
PROCEDURE_COMMANDS: tuple[type[Command], ...] = (
    *ARTICLE11_COMMANDS,
    SendCopies,
    RequestInformation,
    RecordInformationReply,
    ReturnComplaint,
)
