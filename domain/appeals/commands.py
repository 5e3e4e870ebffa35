"""Commands: what an operator, an executor or the deadline watcher asks the appeal to do.

They are msgspec structs that refuse unknown fields and hold to the input domain (the API's request
bodies map to them). ``occurred_at`` is the business time of the act when it differs from now (a
letter received yesterday); it defaults to now. ``action`` is what the rules' messages call the act.

This module is the one place they are imported from (``from domain.appeals import commands as
cmd``); they live by concern in ``command_base`` (the base and the shared input types, importing
neither of the others), ``lifecycle_commands`` (the appeal's life) and ``procedure_commands`` (the
procedures of 59-ФЗ added by issue 14).
"""

from __future__ import annotations

from domain.appeals.attachment_commands import AddAttachment
from domain.appeals.command_base import (
    CitizenContactInput,
    Command,
    Evidence,
    PlaceInput,
    Tag,
)
from domain.appeals.lifecycle_commands import (
    CORE_COMMANDS,
    ApproveAnswer,
    AssignAppeal,
    CategoriseAppeal,
    CloseAppeal,
    ConfirmAnswerDelivery,
    DraftAnswer,
    EscalateAppeal,
    ExtendDeadline,
    FastTrackAppeal,
    ForwardAppeal,
    GiveInterimAnswer,
    LeaveWithoutAnswer,
    LinkAsRepeat,
    MarkDuplicate,
    PauseAppeal,
    PublishAnswer,
    RateSatisfaction,
    ReceiveAppeal,
    RecordDeadlineBreach,
    RegisterAppeal,
    ReopenAppeal,
    ResumeAppeal,
    RetimeDeadlines,
    ReturnAnswerForRework,
)
from domain.appeals.procedure_commands import (
    ARTICLE11_COMMANDS,
    PROCEDURE_COMMANDS,
    Article11Decision,
    DeclineSecretDisclosure,
    EndCorrespondence,
    GiveArticle11Notice,
    LeaveAbusiveUnanswered,
    LeaveAnonymousUnanswered,
    LeaveEssenceUnclearUnanswered,
    LeaveUnreadableUnanswered,
    NoticeInput,
    RecordInformationReply,
    ReferToPublishedAnswer,
    RequestInformation,
    ReturnComplaint,
    ReturnCourtComplaint,
    SendCopies,
)

# The lifecycle commands addressed to an existing appeal, in the order of the appeal's life.
LIFECYCLE_COMMANDS: tuple[type[Command], ...] = (*CORE_COMMANDS, *PROCEDURE_COMMANDS)

__all__ = [
    "ARTICLE11_COMMANDS",
    "LIFECYCLE_COMMANDS",
    "AddAttachment",
    "ApproveAnswer",
    "Article11Decision",
    "AssignAppeal",
    "CategoriseAppeal",
    "CitizenContactInput",
    "CloseAppeal",
    "Command",
    "ConfirmAnswerDelivery",
    "DeclineSecretDisclosure",
    "DraftAnswer",
    "EndCorrespondence",
    "EscalateAppeal",
    "Evidence",
    "ExtendDeadline",
    "FastTrackAppeal",
    "ForwardAppeal",
    "GiveArticle11Notice",
    "GiveInterimAnswer",
    "LeaveAbusiveUnanswered",
    "LeaveAnonymousUnanswered",
    "LeaveEssenceUnclearUnanswered",
    "LeaveUnreadableUnanswered",
    "LeaveWithoutAnswer",
    "LinkAsRepeat",
    "MarkDuplicate",
    "NoticeInput",
    "PauseAppeal",
    "PlaceInput",
    "PublishAnswer",
    "RateSatisfaction",
    "ReceiveAppeal",
    "RecordDeadlineBreach",
    "RecordInformationReply",
    "ReferToPublishedAnswer",
    "RegisterAppeal",
    "ReopenAppeal",
    "RequestInformation",
    "ResumeAppeal",
    "RetimeDeadlines",
    "ReturnAnswerForRework",
    "ReturnComplaint",
    "ReturnCourtComplaint",
    "SendCopies",
    "Tag",
]
