"""The appeals' request bodies, and the table of their routes: each body's action name, summary
and the domain command it maps to. The input rules are the domain's (``domain.shared.inputs``).

This module is the one place they are imported from; they live by concern in
``appeal_command_base`` (``AppealRequest``, ``AppealAction`` and the shared input types, importing
neither of the others), ``appeal_lifecycle_commands`` (the appeal's core life and its rows) and
``appeal_procedure_commands`` (the procedures of 59-ФЗ added by issue 14 and their rows).
"""

from __future__ import annotations

from api.schemas.appeal_command_base import (
    AppealAction,
    AppealRequest,
    CitizenContactInput,
    Evidence,
    PlaceInput,
    Tag,
)
from api.schemas.appeal_lifecycle_commands import (
    CORE_LIFECYCLE,
    RECEIVE,
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
    ReturnAnswerForRework,
)
from api.schemas.appeal_procedure_commands import (
    PROCEDURE,
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

# The routes under /api/v1/appeals/{appeal_id}/, in the order of the appeal's life (the OpenAPI
# lists them in this order).
LIFECYCLE: tuple[AppealAction, ...] = (*CORE_LIFECYCLE, *PROCEDURE)

__all__ = [
    "LIFECYCLE",
    "RECEIVE",
    "AppealAction",
    "AppealRequest",
    "ApproveAnswer",
    "AssignAppeal",
    "CategoriseAppeal",
    "CitizenContactInput",
    "CloseAppeal",
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
    "ReturnAnswerForRework",
    "ReturnComplaint",
    "ReturnCourtComplaint",
    "SendCopies",
    "Tag",
]
