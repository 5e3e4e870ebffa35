"""The appeals' response bodies: the appeal, as of a moment, its history, its deadlines, the
citizen's contact, the list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from api.schemas.deadlines import DeadlineView
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
from domain.shared.actors import Role
from projections.appeals import AppealSummary


class Place(msgspec.Struct, frozen=True, kw_only=True, gc=False, forbid_unknown_fields=True):
    """Where the problem is (not the citizen's address)."""

    address: Annotated[str, msgspec.Meta(max_length=1000)] | None = None
    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None


class Breach(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    deadline: Deadline
    due: datetime


class InformationRequest(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A request for information to another body (ст.10 ч.2 59-ФЗ) and when it was answered."""

    id: UUID
    to_body: str
    sent_at: datetime
    reply_due: datetime
    replied_at: datetime | None = None


class AppealState(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """The appeal as the API shows it (``ETag``: its version). Personal data is not in it."""

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
    topic: str | None = None
    subtopic: str | None = None
    topic_code: str | None = None  # the rubricator's codes (issue 15)
    subtopic_code: str | None = None
    suggested_department: str | None = None  # the unit its routing rules suggest
    essence: str | None = None
    tags: tuple[str, ...] = ()
    department: str | None = None
    executor: str | None = None
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
    # issue 17: the citizen's own scores (through the signed link)
    citizen_rated_current_answer: bool = False
    staff_rated_current_answer: bool = False
    citizen_score: int | None = None
    preferred_score: int | None = None
    reopen_count: int = 0
    duplicate_of: UUID | None = None
    repeat_of: UUID | None = None
    left_without_answer_ground: LegalGround | None = None
    escalations: int = 0
    breaches: tuple[Breach, ...] = ()
    closed_at: datetime | None = None
    outcome: Outcome | None = None
    # issue 14: 59-ФЗ ст. 11 decisions and their notices
    registered_version: int | None = None
    article11_part: Article11Part | None = None
    article11_decided_at: datetime | None = None
    notice_owed: bool = False
    notice_due: datetime | None = None
    notice_given_at: datetime | None = None
    published_url: str | None = None
    information_requests: tuple[InformationRequest, ...] = ()
    # issue 14, ст.8 59-ФЗ: copies sent, whose act a complaint is about
    copied_to: tuple[str, ...] = ()
    copies_sent_at: datetime | None = None
    complaint_against: str | None = None
    # issue 16: the SHA-256 of the appeal's files, in the order added (GET …/attachments: each)
    attachments: tuple[str, ...] = ()
    # issue 16: the answer deadline an imported history's source set (in force when it governs)
    source_answer_due: datetime | None = None


class AsOfState(msgspec.Struct, frozen=True, kw_only=True):
    as_of: datetime
    last_event_version: int  # the last event applied: recorded at or before ``as_of``
    last_event_type: str
    last_event_position: int
    last_event_recorded_at: datetime
    state: AppealState


class Actor(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """The person or process behind an event. ``id`` is the token's principal id, never a citizen."""

    id: str
    role: Role
    name: str
    department: str | None = None


class Change(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    field: str
    before: Any = None
    after: Any = None


class Applied(msgspec.Struct, frozen=True, kw_only=True):
    """What governed the appeal's deadlines at this step."""

    deadline_policy: str  # id/version, e.g. "federal/1"
    calendar: str | None  # id/version of the production calendar of the last computation
    timezone: str | None
    methodology: str | None = None  # the rating methodology in force for the step's month


class HistoryStep(msgspec.Struct, frozen=True, kw_only=True):
    position: int
    version: int
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: Actor
    payload: dict[str, Any]
    changes: list[Change]
    applied: Applied


class AppealHistory(msgspec.Struct, frozen=True, kw_only=True):
    appeal_id: UUID
    version: int  # the appeal's current version (all its events, whatever the filters)
    events: list[HistoryStep]


class AppealList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[AppealSummary]
    next_cursor: str | None
    position: int


class AppealSla(msgspec.Struct, frozen=True, kw_only=True):
    appeal_id: UUID
    version: int
    as_of: datetime
    municipality: str | None  # None: the deployment's default municipality
    timezone: str  # the zone the deadlines count in; each ``due_local`` carries its offset
    deadlines: list[DeadlineView]


class CitizenContact(
    msgspec.Struct, frozen=True, kw_only=True, gc=False, forbid_unknown_fields=True
):
    """The citizen's personal data (152-ФЗ), kept in this one struct so it can be protected whole."""

    full_name: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=50)] | None = None
    email: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    postal_address: Annotated[str, msgspec.Meta(max_length=1000)] | None = None
    messenger: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    reply_to: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    messenger_files: tuple[Annotated[str, msgspec.Meta(max_length=500)], ...] | None = None
