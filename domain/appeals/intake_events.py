"""The appeal's intake events (issue 16): a file that became part of the appeal, and the facts of
an imported history the source system knew (its deadline, its answer). Registered among the
appeal's events by ``domain.appeals.events``, which every reader imports them from."""

from __future__ import annotations

from datetime import datetime

from domain.appeals.event_base import AppealEvent
from domain.appeals.vocabulary import Channel, Deadline
from domain.attachments.media import AttachmentKind


# --- issue 16: attachments (photos, scans, recordings, signed answers) ------------------------
class AttachmentAdded(AppealEvent, frozen=True, kw_only=True):
    """A file became part of the appeal: its content's SHA-256 (its address in the attachment
    store), size and media type told from its bytes, and what it is to the appeal (who added it
    and when: the envelope). The name the file came with is not recorded: names often carry
    personal data (a citizen's surname, a passport number)."""

    sha256: str
    size: int
    media_type: str
    kind: AttachmentKind


# --- issue 16: a deadline the source system set (historic imports) ------------------------------
class DeadlineSetBySource(AppealEvent, frozen=True, kw_only=True):
    """A deadline the source system of an imported history set (a 311 request's due date, a ПОС
    term), recorded beside the one our policy computed at registration, with the source as its
    provenance (``deadline_policy``: ``source:<profile>``). ``governs``: the import's profile
    said on-time judgements use the source's deadline, which is then the one in force."""

    deadline: Deadline
    due: datetime  # exclusive, as every deadline: met by an act strictly before it
    source_due: datetime  # the source's own moment (inclusive: an act at it is on time)
    source: str  # the profile the source's export was read with
    deadline_policy: str
    governs: bool


class AnswerGivenAtSource(AppealEvent, frozen=True, kw_only=True):
    """An answer the source system of an imported history gave (and delivered) at this time: one
    fact, as the source knows it. Our own steps of an answer (drafted, approved by the control
    centre, sent, delivered) were never taken here and are not claimed; the appeal's state after
    it is an answer sent (and delivered, when ``delivered``) with this text, as after those steps.
    """

    text: str
    channel: Channel
    source: str  # the profile the source's export was read with
    delivered: bool
