"""The appeal's state: what its events have made of it, from its receipt on. Personal data never
enters the state."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.appeals import events as ev
from domain.appeals.events import Place
from domain.appeals.vocabulary import (
    Article11Part,
    Channel,
    Deadline,
    Kind,
    LegalGround,
    Outcome,
    ReworkReason,
    Status,
)


class Breach(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    deadline: Deadline
    due: datetime


class InformationRequest(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A request for information sent to another body (ст.10 ч.2 59-ФЗ) and its reply."""

    id: UUID
    to_body: str
    sent_at: datetime
    reply_due: datetime
    replied_at: datetime | None = None


class AppealState(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    id: UUID
    version: int
    kind: Kind
    channel: Channel
    status: Status
    external_id: str | None
    text: str
    has_citizen_contact: bool
    place: Place | None
    received_at: datetime
    register_due: datetime
    deadline_policy: str
    last_recorded_at: datetime
    municipality: str | None = None  # None: the deployment's default municipality
    timezone: str | None = None  # the zone its deadlines count in (None: the deployment's)
    registration_number: str | None = None
    registered_at: datetime | None = None
    answer_due: datetime | None = None
    original_answer_due: datetime | None = None
    forward_due: datetime | None = None
    first_reaction_due: datetime | None = None
    first_reaction_at: datetime | None = None
    topic: str | None = None  # the name in force when categorised
    subtopic: str | None = None
    # the rubricator's codes (issue 15; None for appeals categorised before it) and the unit its
    # routing rules suggested
    topic_code: str | None = None
    subtopic_code: str | None = None
    suggested_department: str | None = None
    essence: str | None = None
    tags: tuple[str, ...] = ()
    department: str | None = None  # the unit's id in the directory (assigned before it: a name)
    executor: str | None = None  # the person's id (before the directory: a name)
    sector: str | None = None
    assigned_at: datetime | None = None
    forwarded_to: str | None = None
    extensions: int = 0
    extension_days: int = 0
    paused_since: datetime | None = None
    paused_seconds: int = 0
    interim_answers: int = 0
    answer_text: str | None = None
    answer_fix_date: date | None = None
    answer_drafted_at: datetime | None = None
    answer_approved_at: datetime | None = None
    answer_published_at: datetime | None = None
    answer_delivered_at: datetime | None = None
    first_answered_at: datetime | None = None
    rework_count: int = 0
    last_rework_reason: ReworkReason | None = None
    fast_tracked: bool = False
    satisfaction_score: int | None = None
    rated_current_answer: bool = False
    # issue 17: the citizen's own scores (through the signed link) beside the staff-typed ones
    citizen_rated_current_answer: bool = False  # the link of this answer is used
    staff_rated_current_answer: bool = False  # staff typed a score for this answer
    citizen_score: int | None = None  # the citizen's last score
    preferred_score: int | None = None  # the last rated answer's score, the citizen's preferred
    reopen_count: int = 0
    duplicate_of: UUID | None = None
    repeat_of: UUID | None = None
    left_without_answer_ground: LegalGround | None = None
    escalations: int = 0
    breaches: tuple[Breach, ...] = ()
    closed_at: datetime | None = None
    outcome: Outcome | None = None
    # --- issue 14: 59-ФЗ ст. 11 decisions and their notices ---
    registered_version: int | None = None  # the registration's version: an anchor of terms
    article11_part: Article11Part | None = None
    article11_decided_at: datetime | None = None  # the decision routes it: no forwarding owed
    notice_owed: bool = False  # a ст. 11 notice is owed and not yet given
    notice_due: datetime | None = None
    notice_given_at: datetime | None = None
    published_url: str | None = None  # ч.5.1: where the answer is published
    information_requests: tuple[InformationRequest, ...] = ()  # ст.10 ч.2, in the order sent
    # issue 14, ст.8 59-ФЗ: the bodies copies went to, and whose act a complaint is about
    copied_to: tuple[str, ...] = ()
    copies_sent_at: datetime | None = None  # the first copies (ст.8 ч.4): they route the appeal
    complaint_against: str | None = None
    attachments: tuple[str, ...] = ()  # issue 16: the files' SHA-256, in the order added
    # issue 16: the answer deadline an imported history's source set (in force when it governs)
    source_answer_due: datetime | None = None

    @property
    def is_closed(self) -> bool:
        return self.status is Status.CLOSED

    @property
    def routed_at(self) -> datetime | None:
        """When the appeal was first routed within the body's reach (the ``forward`` deadline,
        59-ФЗ ст.8 ч.3–4): our part assigned, copies sent to the other competent bodies, or a
        ст.11 decision; forwarding closes the appeal, which settles the deadline too."""
        acts = (self.assigned_at, self.copies_sent_at, self.article11_decided_at)
        return min((t for t in acts if t is not None), default=None)

    @property
    def answer_version(self) -> int:
        """Which answer of the appeal the current one is: 1, and one more after each reopening
        (a rating link names it, so a link of an earlier answer rates nothing)."""
        return self.reopen_count + 1

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    def information_request(self, request_id: UUID) -> InformationRequest | None:
        return next((r for r in self.information_requests if r.id == request_id), None)

    @property
    def information_reply(self) -> tuple[datetime, datetime, datetime | None] | None:
        """The request-for-information deadline in force as (due, sent, replied): the unanswered
        request due first; when all are answered, the last one due. None: no request sent."""
        unanswered = [r for r in self.information_requests if r.replied_at is None]
        if unanswered:
            chosen = min(unanswered, key=lambda r: r.reply_due)
        elif self.information_requests:
            chosen = max(self.information_requests, key=lambda r: r.reply_due)
        else:
            return None
        return chosen.reply_due, chosen.sent_at, chosen.replied_at


def started(event: ev.AppealReceived) -> AppealState:
    return AppealState(
        id=event.originator_id,
        version=event.originator_version,
        kind=event.kind,
        channel=event.channel,
        status=Status.RECEIVED,
        external_id=event.external_id,
        text=event.text,
        has_citizen_contact=event.citizen is not None,
        place=event.place,
        received_at=event.occurred_at,
        register_due=event.register_due,
        first_reaction_due=next(
            (d.due for d in event.deadlines if d.deadline is Deadline.FIRST_REACTION), None
        ),
        deadline_policy=event.deadline_policy,
        last_recorded_at=event.timestamp,
        municipality=event.municipality,
        timezone=event.timezone,
    )
