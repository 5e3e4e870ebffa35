"""The appeal's events: facts in the past tense, each naming who acted and when.

Every event carries the envelope the event store needs (``originator_id``, ``originator_version``),
the recording time (``timestamp``), the business time of the act (``occurred_at``) and the actor.
Events are forever: a change of meaning is a new event type or a new ``class_version`` with an
upcaster, never an edit of these classes' existing fields.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

from domain.appeals.event_base import AppealEvent as AppealEvent
from domain.appeals.event_parts import CitizenContact as CitizenContact
from domain.appeals.event_parts import CitizenNotice as CitizenNotice
from domain.appeals.event_parts import Place as Place
from domain.appeals.intake_events import AnswerGivenAtSource as AnswerGivenAtSource
from domain.appeals.intake_events import AttachmentAdded as AttachmentAdded
from domain.appeals.intake_events import DeadlineSetBySource as DeadlineSetBySource
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
from domain.sla.policy import ComputedDeadline


class AppealReceived(AppealEvent, frozen=True, kw_only=True):
    kind: Kind
    channel: Channel
    external_id: str | None  # ПОС id, post URL, call id
    text: str
    citizen: CitizenContact | None  # personal data: only here
    place: Place | None
    register_due: datetime
    deadline_policy: str
    # Version 2 records each deadline it computes with its provenance (policy, calendar, anchor,
    # steps); version 1 events carry only ``deadline_policy`` and are read with none.
    # Version 3 records the municipality and the time zone the appeal's deadlines count in
    # (older events: no municipality, the zone their deadlines' provenance names, if any).
    class_version: ClassVar[int] = 3
    deadlines: tuple[ComputedDeadline, ...] = ()
    municipality: str | None = None
    timezone: str | None = None

    @staticmethod
    def upcast_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "deadlines": []}

    @staticmethod
    def upcast_v2_v3(data: dict[str, Any]) -> dict[str, Any]:
        zones = [d["provenance"]["timezone"] for d in data.get("deadlines") or ()]
        return {**data, "municipality": None, "timezone": zones[0] if zones else None}


class AppealRegistered(AppealEvent, frozen=True, kw_only=True):
    registration_number: str
    answer_due: datetime
    forward_due: datetime | None
    first_reaction_due: datetime | None
    deadline_policy: str
    # Version 2 records each deadline it computes with its provenance (policy, calendar, anchor,
    # steps); version 1 events carry only ``deadline_policy`` and are read with none.
    class_version: ClassVar[int] = 2
    deadlines: tuple[ComputedDeadline, ...] = ()

    @staticmethod
    def upcast_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "deadlines": []}


class AppealCategorised(AppealEvent, frozen=True, kw_only=True):
    topic: str  # the names in force that day; since the rubricator (issue 15) also the codes
    subtopic: str | None
    essence: str
    place: Place | None
    tags: tuple[str, ...]
    topic_code: str | None = None
    subtopic_code: str | None = None
    suggested_unit: str | None = None  # the routing rule's unit (a suggestion, not an assignment)


class AppealAssigned(AppealEvent, frozen=True, kw_only=True):
    # The names as shown that day; since the directory (issue 15) also the ids, which is what
    # the appeal refers to (older events: names only, resolved through the directory's names and
    # aliases).
    department: str
    executor: str | None
    sector: str | None
    unit_id: str | None = None
    executor_id: str | None = None
    sector_id: str | None = None


class AppealForwarded(AppealEvent, frozen=True, kw_only=True):
    to_body: str
    reason: str
    citizen_notified_at: datetime
    # Whose decision or act a complaint is about (ст.8 ч.6 59-ФЗ); older events: not recorded.
    complaint_against: str | None = None


class DeadlineExtended(AppealEvent, frozen=True, kw_only=True):
    deadline: Deadline
    previous_due: datetime
    new_due: datetime
    days: int
    reason: str
    approver: str
    citizen_notified_at: datetime
    deadline_policy: str
    # Version 2 records each deadline it computes with its provenance (policy, calendar, anchor,
    # steps); version 1 events carry only ``deadline_policy`` and are read with none.
    class_version: ClassVar[int] = 2
    deadlines: tuple[ComputedDeadline, ...] = ()
    # ст.12 ч.2 59-ФЗ (issue 14), all defaulted: older events read with none of them, their
    # ``approver`` the free text typed then. Since: the law's ground, the request cited, the
    # deciding actor's id (``approver`` is then their name) and the notice as a recorded act.
    ground: ExtensionGround | None = None
    information_request_id: UUID | None = None
    approved_by: str | None = None
    notice: CitizenNotice | None = None


class AppealPaused(AppealEvent, frozen=True, kw_only=True):
    reason: str


class AppealResumed(AppealEvent, frozen=True, kw_only=True):
    paused_seconds: int
    answer_due: datetime
    deadline_policy: str
    # Version 2 records each deadline it computes with its provenance (policy, calendar, anchor,
    # steps); version 1 events carry only ``deadline_policy`` and are read with none.
    class_version: ClassVar[int] = 2
    deadlines: tuple[ComputedDeadline, ...] = ()

    @staticmethod
    def upcast_v1_v2(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "deadlines": []}


class InterimAnswerGiven(AppealEvent, frozen=True, kw_only=True):
    text: str
    channel: Channel


class AnswerDrafted(AppealEvent, frozen=True, kw_only=True):
    text: str
    fix_date: date | None
    evidence: tuple[str, ...]


class AnswerApproved(AppealEvent, frozen=True, kw_only=True):
    comment: str | None


class AnswerReturnedForRework(AppealEvent, frozen=True, kw_only=True):
    reason: ReworkReason
    comment: str


class AnswerPublished(AppealEvent, frozen=True, kw_only=True):
    channel: Channel


class AnswerDelivered(AppealEvent, frozen=True, kw_only=True):
    channel: Channel
    delivery_reference: str | None


class AppealFastTracked(AppealEvent, frozen=True, kw_only=True):
    resolution: str


class SatisfactionRated(AppealEvent, frozen=True, kw_only=True):
    score: int
    comment: str | None
    # issue 17: True when the citizen gave the score through the signed link sent with the answer
    # (the actor is then ``citizen:<appeal id>``); older events and staff-typed scores: False
    by_citizen: bool = False


class AppealReopened(AppealEvent, frozen=True, kw_only=True):
    reason: str
    by: ReopenedBy


class AppealMarkedDuplicate(AppealEvent, frozen=True, kw_only=True):
    duplicate_of: UUID


class AppealLinkedAsRepeat(AppealEvent, frozen=True, kw_only=True):
    repeat_of: UUID


class AppealLeftWithoutAnswer(AppealEvent, frozen=True, kw_only=True):
    ground: LegalGround
    comment: str | None


class AppealEscalated(AppealEvent, frozen=True, kw_only=True):
    to: EscalationTarget
    to_person: str | None  # the name; since the directory also the person's id:
    reason: str
    automatic: bool
    to_person_id: str | None = None


class DeadlineBreached(AppealEvent, frozen=True, kw_only=True):
    deadline: Deadline
    due: datetime


class DeadlinesRetimed(AppealEvent, frozen=True, kw_only=True):
    """Deadlines recomputed after a correction of the calendar (or the policy) they were computed
    under: each new one with its provenance, and why."""

    deadlines: tuple[ComputedDeadline, ...]
    reason: str


class AppealClosed(AppealEvent, frozen=True, kw_only=True):
    outcome: Outcome
    comment: str | None


# --- issue 14: the decisions of 59-ФЗ ст. 11 and the citizen's notice of them ---
class AppealDecidedUnderArticle11(AppealEvent, frozen=True, kw_only=True):
    """A decision not to answer on the merits under 59-ФЗ ст. 11, by part: its ground, the notice
    it owes the citizen (and its 7-day term where the law sets one, with provenance), and what
    the part requires recorded with it."""

    part: Article11Part
    ground: LegalGround
    comment: str | None
    notice_owed: bool  # False: no notice (ч.1; ч.4 when the name and address cannot be read)
    notice_due: datetime | None  # the statutory term of the notice (ч.2, ч.4, ч.4.1, ч.5.1)
    deadlines: tuple[ComputedDeadline, ...] = ()
    crime_report_forwarded_to: str | None = None  # ч.1: the competent state body
    court_decision: str | None = None  # ч.2: the decision complained about
    appeal_explanation: str | None = None  # ч.2: how the decision is appealed
    earlier_appeals: tuple[UUID, ...] = ()  # ч.5: the earlier appeals answered on the merits
    published_url: str | None = None  # ч.5.1: the page the answer is published on
    secret: str | None = None  # ч.6: which protected secret


class CitizenNoticeGiven(AppealEvent, frozen=True, kw_only=True):
    """The citizen's notice of a ст. 11 decision as a recorded act: what, to whom, by which
    channel, when (``occurred_at``), the text's template; delivery is the outbound concern."""

    part: Article11Part
    subject: str  # what the notice tells, in the words of the law
    recipient: NoticeRecipient
    channel: Channel
    template_id: str
    url: str | None  # ч.5.1: the page's address the citizen is told
    due: datetime | None  # its statutory term, if any (met when ``occurred_at`` is before it)


# --- ст.8 ч.4 59-ФЗ: copies to the other competent bodies (issue 14) ---------------------------
class AppealCopiesSent(AppealEvent, frozen=True, kw_only=True):
    """Copies of the appeal went to the bodies competent for its other questions; our part
    stays open."""

    to_bodies: tuple[str, ...]
    reason: str
    citizen_notified_at: datetime
    complaint_against: str | None = None


APPEAL_EVENT_TYPES: tuple[type[AppealEvent], ...] = (
    AppealReceived,
    AppealRegistered,
    AppealCategorised,
    AppealAssigned,
    AppealForwarded,
    DeadlineExtended,
    AppealPaused,
    AppealResumed,
    InterimAnswerGiven,
    AnswerDrafted,
    AnswerApproved,
    AnswerReturnedForRework,
    AnswerPublished,
    AnswerDelivered,
    AppealFastTracked,
    SatisfactionRated,
    AppealReopened,
    AppealMarkedDuplicate,
    AppealLinkedAsRepeat,
    AppealLeftWithoutAnswer,
    AppealEscalated,
    DeadlineBreached,
    AppealClosed,
    DeadlinesRetimed,
    AppealDecidedUnderArticle11,
    CitizenNoticeGiven,
    AppealCopiesSent,
)


# --- ст.10 ч.1 п.2, ч.2 59-ФЗ: requests for information to other bodies ---------------------
class InformationRequested(AppealEvent, frozen=True, kw_only=True):
    """A request for documents or materials sent to another body (ст.10 ч.1 п.2), which must
    answer within 15 days (ст.10 ч.2): the term is computed with its provenance."""

    request_id: UUID  # derived from the appeal and this event's version: cited by an extension
    to_body: str
    what: str  # what is asked for
    reply_due: datetime
    deadline_policy: str
    deadlines: tuple[ComputedDeadline, ...] = ()


class InformationReplyReceived(AppealEvent, frozen=True, kw_only=True):
    """The other body's reply to a request (when: ``occurred_at``; what: ``summary``)."""

    request_id: UUID
    summary: str


APPEAL_EVENT_TYPES += (InformationRequested, InformationReplyReceived)


# --- ст.8 ч.7 59-ФЗ: a complaint that can go nowhere else is returned (issue 14) ---------------
class ComplaintReturned(AppealEvent, frozen=True, kw_only=True):
    """The complaint went back to the citizen with the explanation of the right to go to court,
    the notice as a recorded act; ``AppealClosed`` follows."""

    complaint_against: str
    reason: str
    court_explanation: str
    notice: CitizenNotice


APPEAL_EVENT_TYPES += (ComplaintReturned,)


# --- issue 16: intake (attachments, the facts of imported histories): ``intake_events`` --------
APPEAL_EVENT_TYPES += (AttachmentAdded, DeadlineSetBySource, AnswerGivenAtSource)
