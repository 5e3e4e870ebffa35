"""What staff (and the norm watcher) ask a claim to do; the API takes them as request bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar
from uuid import UUID

import msgspec

from domain.claims.events import Norm, SourcePost, Verdict
from domain.shared.inputs import Count, Input, ShortText, Text, Url, text

Item = Annotated[str, text(2000)]


# A post's unknown fields stay ignored (forbid_unknown_fields=False overrides Input's), as
# they were before it derived from Input.
class SourcePostInput(
    SourcePost, Input, frozen=True, kw_only=True, gc=False, forbid_unknown_fields=False
):
    """A post as a command gives it (the event stores a plain SourcePost)."""

    url: Url
    channel: ShortText
    first_seen: datetime
    reach: Count = 0
    text: Annotated[str, text(20_000)] | None = None


class ClaimCommand(Input, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route: ClassVar[str]
    summary: ClassVar[str]

    occurred_at: datetime | None = None


class DetectClaim(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "detect"
    summary = "Register a claim found in the information space"

    text: Text
    sources: Annotated[tuple[SourcePostInput, ...], msgspec.Meta(min_length=1, max_length=100)]
    topic: ShortText | None = None
    linked_appeals: Annotated[tuple[UUID, ...], msgspec.Meta(max_length=100)] = ()
    urgent: bool = False  # urgent regardless of reach


class AddSource(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "add-source"
    summary = "Another post spreading the claim"

    source: SourcePostInput


class AssessClaim(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "assess"
    summary = "Give the verdict on the facts, with evidence and the responsible department"

    verdict: Verdict
    evidence: Annotated[tuple[Item, ...], msgspec.Meta(min_length=1, max_length=50)]
    department: ShortText
    rationale: Text


class DraftRefutation(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "draft-refutation"
    summary = "Draft the refutation: the facts, in words for the public"

    text: Text
    facts: Annotated[tuple[Item, ...], msgspec.Meta(max_length=50)] = ()


class ApproveRefutation(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "approve-refutation"
    summary = "Approve the drafted refutation"

    approver: ShortText


class PublishRefutation(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "publish-refutation"
    summary = "Publish the approved refutation on an official page or channel"

    channel: ShortText
    url: Url | None = None


class ConfirmPublication(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "confirm-publication"
    summary = "The channel shows the refutation (delivery confirmed)"

    channel: ShortText
    reference: ShortText | None = None


class WarnTargetGroups(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "warn"
    summary = "Warn the groups the claim targets"

    groups: Annotated[tuple[ShortText, ...], msgspec.Meta(min_length=1, max_length=50)]
    channel: ShortText


class CloseClaim(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "close"
    summary = "Close the claim"

    reason: Text


class RecordResurfacing(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "resurfaced"
    summary = "The claim appeared again (answered from its existing refutation)"

    source: SourcePostInput
    similarity: Annotated[float, msgspec.Meta(ge=0, le=1)] = 1.0


class RecordNormBreach(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    route = "record-breach"
    summary = "Record that a response norm passed unmet (the norm watcher)"

    norm: Norm


CLAIM_COMMANDS: tuple[type[ClaimCommand], ...] = (
    AddSource,
    AssessClaim,
    DraftRefutation,
    ApproveRefutation,
    PublishRefutation,
    ConfirmPublication,
    WarnTargetGroups,
    CloseClaim,
    RecordResurfacing,
    RecordNormBreach,
)
