"""The citizen's own command (issue 17): the score they give the answer through the signed link
sent with it. Imported here and by ``decisions.citizen_rating``; the public rating page is its
only author (staff type a score with ``RateSatisfaction``)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from domain.appeals.command_base import Command
from domain.shared.inputs import text

COMMENT_MAX = 2000  # what the page's comment box takes


class RateAnswerAsCitizen(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The citizen rates the answer the link was sent with: ``answer_version`` is the appeal's
    ``answer_version`` when the link was made (a reopened appeal's new answer needs a new link)."""

    action = "rate the answer as the citizen"

    score: Annotated[int, msgspec.Meta(ge=1, le=5)]
    comment: Annotated[str, text(COMMENT_MAX)] | None = None
    answer_version: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
