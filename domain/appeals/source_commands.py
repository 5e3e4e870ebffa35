"""Commands of imported histories (issue 16): a deadline the source system set, recorded as
such. Imported here and by ``decisions.source_terms``; ``commands`` does not re-export it (the
importer is its only author)."""

from __future__ import annotations

from datetime import datetime

from domain.appeals.command_base import Command
from domain.appeals.vocabulary import Deadline
from domain.shared.inputs import Code, Text


class RecordSourceDeadline(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The source's deadline for the answer (a 311 request's due date, a ПОС term): ``due`` is
    the source's own moment, inclusive (an answer at it is on time); ``governs``: on-time
    judgements use it instead of our policy's."""

    action = "record-source-deadline"

    deadline: Deadline = Deadline.ANSWER
    due: datetime
    source: Code
    governs: bool = False


class RecordSourceAnswer(Command, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The answer the source gave at ``occurred_at`` (delivered to the citizen by the source,
    when ``delivered``): recorded as one fact of the imported history."""

    action = "record-source-answer"

    text: Text
    source: Code
    delivered: bool = True
