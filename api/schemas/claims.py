"""The claims' request bodies and the table of their routes (action name, summary, domain
command), the claim as the API shows it, and a post to recognise."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from api.schemas.common import Action
from domain.claims import commands as cmd
from domain.claims.events import Norm, Status, Verdict
from domain.shared.inputs import Count, Input, ShortText, Text, Url, text
from projections.claims import MATCH_THRESHOLD

Item = Annotated[str, text(2000)]


# A post's unknown fields stay ignored (forbid_unknown_fields=False overrides Input's).
class SourcePostInput(Input, frozen=True, kw_only=True, gc=False, forbid_unknown_fields=False):
    url: Url
    channel: ShortText
    first_seen: datetime
    reach: Count = 0
    text: Annotated[str, text(20_000)] | None = None


class ClaimRequest(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    occurred_at: datetime | None = None


class DetectClaim(ClaimRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    text: Text
    sources: Annotated[tuple[SourcePostInput, ...], msgspec.Meta(min_length=1, max_length=100)]
    topic: ShortText | None = None
    linked_appeals: Annotated[tuple[UUID, ...], msgspec.Meta(max_length=100)] = ()
    urgent: bool = False  # urgent regardless of reach


class AddSource(ClaimRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    source: SourcePostInput


class AssessClaim(ClaimRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    verdict: Verdict
    evidence: Annotated[tuple[Item, ...], msgspec.Meta(min_length=1, max_length=50)]
    department: ShortText
    rationale: Text


class DraftRefutation(ClaimRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    text: Text
    facts: Annotated[tuple[Item, ...], msgspec.Meta(max_length=50)] = ()


class ApproveRefutation(ClaimRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    approver: ShortText


class PublishRefutation(ClaimRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    channel: ShortText
    url: Url | None = None


class ConfirmPublication(ClaimRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    channel: ShortText
    reference: ShortText | None = None


class WarnTargetGroups(ClaimRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    groups: Annotated[tuple[ShortText, ...], msgspec.Meta(min_length=1, max_length=50)]
    channel: ShortText


class CloseClaim(ClaimRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Text


class RecordResurfacing(ClaimRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    source: SourcePostInput
    similarity: Annotated[float, msgspec.Meta(ge=0, le=1)] = 1.0


class RecordNormBreach(ClaimRequest, frozen=True, kw_only=True, forbid_unknown_fields=True):
    norm: Norm


ClaimAction = Action[Any, cmd.ClaimCommand]

DETECT: Action[DetectClaim, cmd.DetectClaim] = Action(
    "detect", "Register a claim found in the information space", DetectClaim, cmd.DetectClaim
)

# The routes under /api/v1/claims/{claim_id}/.
ACTIONS: tuple[ClaimAction, ...] = (
    ClaimAction("add-source", "Another post spreading the claim", AddSource, cmd.AddSource),
    ClaimAction(
        "assess",
        "Give the verdict on the facts, with evidence and the responsible department",
        AssessClaim,
        cmd.AssessClaim,
    ),
    ClaimAction(
        "draft-refutation",
        "Draft the refutation: the facts, in words for the public",
        DraftRefutation,
        cmd.DraftRefutation,
    ),
    ClaimAction(
        "approve-refutation",
        "Approve the drafted refutation",
        ApproveRefutation,
        cmd.ApproveRefutation,
    ),
    ClaimAction(
        "publish-refutation",
        "Publish the approved refutation on an official page or channel",
        PublishRefutation,
        cmd.PublishRefutation,
    ),
    ClaimAction(
        "confirm-publication",
        "The channel shows the refutation (delivery confirmed)",
        ConfirmPublication,
        cmd.ConfirmPublication,
    ),
    ClaimAction(
        "warn", "Warn the groups the claim targets", WarnTargetGroups, cmd.WarnTargetGroups
    ),
    ClaimAction("close", "Close the claim", CloseClaim, cmd.CloseClaim),
    ClaimAction(
        "resurfaced",
        "The claim appeared again (answered from its existing refutation)",
        RecordResurfacing,
        cmd.RecordResurfacing,
    ),
    ClaimAction(
        "record-breach",
        "Record that a response norm passed unmet (the norm watcher)",
        RecordNormBreach,
        cmd.RecordNormBreach,
        system=True,
    ),
)


class MatchRequest(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    text: Text  # the input domain's text: no NUL (it would reach PostgreSQL's full-text search)
    threshold: Annotated[float, msgspec.Meta(ge=0, le=1)] = MATCH_THRESHOLD
    limit: Annotated[int, msgspec.Meta(ge=1, le=20)] = 5


class SourcePost(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Where the claim was seen: a post, its channel, when first seen, its audience (as recorded:
    under the looser rules of older versions too)."""

    url: Annotated[str, msgspec.Meta(min_length=8, max_length=2000, pattern=r"^https?://")]
    channel: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]  # vk, telegram, ok, …
    first_seen: datetime
    reach: Annotated[int, msgspec.Meta(ge=0)] = 0  # audience reach estimate
    text: Annotated[str, msgspec.Meta(max_length=20_000)] | None = None  # the post's words


class ClaimState(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """The claim as the API shows it (``ETag``: its version)."""

    id: UUID
    version: int
    status: Status
    text: str
    topic: str | None
    sources: tuple[SourcePost, ...]
    linked_appeals: tuple[UUID, ...]
    urgent: bool
    detected_at: datetime
    verdict_due: datetime
    refutation_due: datetime
    norms: str
    last_recorded_at: datetime
    verdict: Verdict | None = None
    verdict_at: datetime | None = None
    evidence: tuple[str, ...] = ()
    department: str | None = None
    refutation: str | None = None
    drafted_at: datetime | None = None
    approved_at: datetime | None = None
    published_channels: tuple[str, ...] = ()
    published_urls: tuple[str, ...] = ()
    first_published_at: datetime | None = None
    confirmed_channels: tuple[str, ...] = ()
    warned_groups: tuple[str, ...] = ()
    closed_at: datetime | None = None
    close_reason: str | None = None
    resurfaced: int = 0
    last_resurfaced_at: datetime | None = None
    breaches: tuple[Norm, ...] = ()
