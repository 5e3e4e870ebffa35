"""What staff (and the norm watcher) ask a claim to do (the API's request bodies map to them)."""

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
    action: ClassVar[str]  # what the rules' messages call the act: "may not register"

    occurred_at: datetime | None = None


class DetectClaim(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "detect"

    text: Text
    sources: Annotated[tuple[SourcePostInput, ...], msgspec.Meta(min_length=1, max_length=100)]
    topic: ShortText | None = None
    linked_appeals: Annotated[tuple[UUID, ...], msgspec.Meta(max_length=100)] = ()
    urgent: bool = False  # urgent regardless of reach


class AddSource(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "add-source"

    source: SourcePostInput


class AssessClaim(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "assess"

    verdict: Verdict
    evidence: Annotated[tuple[Item, ...], msgspec.Meta(min_length=1, max_length=50)]
    department: ShortText
    rationale: Text


class DraftRefutation(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "draft-refutation"

    text: Text
    facts: Annotated[tuple[Item, ...], msgspec.Meta(max_length=50)] = ()


class ApproveRefutation(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "approve-refutation"

    approver: ShortText


class PublishRefutation(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "publish-refutation"

    channel: ShortText
    url: Url | None = None


class ConfirmPublication(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "confirm-publication"

    channel: ShortText
    reference: ShortText | None = None


class WarnTargetGroups(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "warn"

    groups: Annotated[tuple[ShortText, ...], msgspec.Meta(min_length=1, max_length=50)]
    channel: ShortText


class CloseClaim(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "close"

    reason: Text


class RecordResurfacing(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "resurfaced"

    source: SourcePostInput
    similarity: Annotated[float, msgspec.Meta(ge=0, le=1)] = 1.0


class RecordNormBreach(ClaimCommand, frozen=True, kw_only=True, forbid_unknown_fields=True):
    action = "record-breach"

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
