"""The claim's vocabulary and events: facts in the past tense, each naming who acted and when."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import msgspec

from domain.shared.envelope import Envelope

Url = Annotated[str, msgspec.Meta(min_length=8, max_length=2000, pattern=r"^https?://")]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class Verdict(StrEnum):
    FALSE = "false"  # недостоверно
    MISLEADING = "misleading"  # вводит в заблуждение
    PARTLY_TRUE = "partly_true"  # частично достоверно
    TRUE = "true"  # достоверно
    UNVERIFIABLE = "unverifiable"  # не поддаётся проверке


REFUTABLE = frozenset({Verdict.FALSE, Verdict.MISLEADING})


class Status(StrEnum):
    DETECTED = "detected"
    ASSESSED = "assessed"
    REFUTATION_DRAFTED = "refutation_drafted"
    REFUTATION_APPROVED = "refutation_approved"
    PUBLISHED = "published"
    CLOSED = "closed"


class Norm(StrEnum):
    VERDICT = "verdict"  # from detection to a verdict
    REFUTATION = "refutation"  # from detection to a published refutation


class SourcePost(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Where the claim was seen: a post, its channel, when first seen, its audience."""

    url: Url
    channel: ShortText  # vk, telegram, ok, a news site…
    first_seen: datetime
    reach: Annotated[int, msgspec.Meta(ge=0)] = 0  # audience reach estimate
    text: Annotated[str, msgspec.Meta(max_length=20_000)] | None = None  # the post's words


class ClaimEvent(Envelope, frozen=True, kw_only=True, gc=False):
    """Base of every claim event."""


class ClaimDetected(ClaimEvent, frozen=True, kw_only=True):
    text: str  # the claim as it circulates
    topic: str | None
    sources: tuple[SourcePost, ...]
    linked_appeals: tuple[UUID, ...]
    urgent: bool  # a large reach or a flag: the faster norms apply
    verdict_due: datetime
    refutation_due: datetime
    norms: str  # the norms' id/version and the calendar they were counted under


class SourceAdded(ClaimEvent, frozen=True, kw_only=True):
    source: SourcePost


class ClaimAssessed(ClaimEvent, frozen=True, kw_only=True):
    verdict: Verdict
    evidence: tuple[str, ...]
    department: str  # responsible for the facts
    rationale: str


class RefutationDrafted(ClaimEvent, frozen=True, kw_only=True):
    text: str
    facts: tuple[str, ...]


class RefutationApproved(ClaimEvent, frozen=True, kw_only=True):
    approver: str


class RefutationPublished(ClaimEvent, frozen=True, kw_only=True):
    channel: str  # the official page or channel
    url: str | None  # where it was posted


class PublicationConfirmed(ClaimEvent, frozen=True, kw_only=True):
    """The channel shows the refutation (a separate fact from sending it)."""

    channel: str
    reference: str | None


class TargetGroupsWarned(ClaimEvent, frozen=True, kw_only=True):
    groups: tuple[str, ...]
    channel: str


class ClaimClosed(ClaimEvent, frozen=True, kw_only=True):
    reason: str


class ClaimResurfaced(ClaimEvent, frozen=True, kw_only=True):
    """The known claim appeared again; it is answered from its existing refutation."""

    source: SourcePost
    similarity: float  # of the new post's text to the claim's (0..1)


class NormBreached(ClaimEvent, frozen=True, kw_only=True):
    norm: Norm
    due: datetime


CLAIM_EVENT_TYPES: tuple[type[ClaimEvent], ...] = (
    ClaimDetected,
    SourceAdded,
    ClaimAssessed,
    RefutationDrafted,
    RefutationApproved,
    RefutationPublished,
    PublicationConfirmed,
    TargetGroupsWarned,
    ClaimClosed,
    ClaimResurfaced,
    NormBreached,
)
