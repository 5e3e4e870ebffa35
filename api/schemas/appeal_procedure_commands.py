"""The request bodies of the procedures of 59-ФЗ (issue 14), and their routes: copies to the other
competent bodies (ст. 8 ч. 4), the ст. 11 decisions and the notice they owe, requests for
information (ст. 10), a complaint returned (ст. 8 ч. 7). ``PROCEDURE`` holds their rows in the
order the table of routes (and so the OpenAPI) lists them, after the core lifecycle's."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from api.schemas.appeal_command_base import AppealAction, AppealRequest
from domain.appeals import commands as cmd
from domain.appeals.vocabulary import Channel, NoticeRecipient
from domain.shared.inputs import Code, Input, ShortText, Text, Url


# --- ст.8 ч.4 59-ФЗ: copies to the other competent bodies (issue 14) ---------------------------
class SendCopies(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    to_bodies: Annotated[tuple[ShortText, ...], msgspec.Meta(min_length=1, max_length=20)]
    reason: Text
    citizen_notified_at: datetime
    complaint_against: ShortText | None = None


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


# --- ст.10 ч.1 п.2, ч.2 59-ФЗ: requests for information to other bodies ---------------------
class RequestInformation(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    to_body: ShortText
    what: Text


class RecordInformationReply(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    request_id: UUID
    summary: Text


# --- ст.8 ч.7 59-ФЗ: a complaint that can go nowhere else is returned (issue 14) ---------------
class ReturnComplaint(AppealRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Text
    court_explanation: Text
    notice: NoticeInput
    complaint_against: ShortText | None = None


PROCEDURE: tuple[AppealAction, ...] = (
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
    # ст.10 ч.1 п.2, ч.2 59-ФЗ: requests for information to other bodies
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
    AppealAction(
        "return-complaint",
        "ст.8 ч.7 59-ФЗ: return a complaint that cannot go to another body (ч.6), explaining"
        " the right to go to court (closes)",
        ReturnComplaint,
        cmd.ReturnComplaint,
    ),
)
