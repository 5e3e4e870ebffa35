"""Who may decide what on an appeal: the roles each command allows, and the executors' own
department."""

from __future__ import annotations

from domain.appeals import commands as cmd
from domain.appeals.citizen_commands import RateAnswerAsCitizen
from domain.appeals.source_commands import RecordSourceAnswer, RecordSourceDeadline
from domain.appeals.state import AppealState
from domain.shared.actors import CITIZEN_PREFIX, Actor, Role, within_department
from domain.shared.errors import Forbidden

_STAFF = frozenset({Role.OPERATOR, Role.CURATOR, Role.HEAD})
_ANSWERERS = _STAFF | {Role.EXECUTOR}

# Who may issue which command. Executors act only on their own department's appeals.
PERMISSIONS: dict[type[cmd.Command], frozenset[Role]] = {
    # the system: the channels' intake (webhooks, imports) receives as an automatic process
    cmd.ReceiveAppeal: _STAFF | {Role.SYSTEM},
    cmd.RegisterAppeal: _STAFF,
    cmd.CategoriseAppeal: _STAFF,
    cmd.AssignAppeal: _STAFF,
    cmd.ForwardAppeal: _STAFF,
    # ст.12 ч.2 59-ФЗ: the head or a person authorised (until the directory names them: the head)
    cmd.ExtendDeadline: frozenset({Role.HEAD}),
    cmd.PauseAppeal: _ANSWERERS,
    cmd.ResumeAppeal: _ANSWERERS,
    cmd.GiveInterimAnswer: _ANSWERERS,
    cmd.DraftAnswer: _ANSWERERS,
    cmd.ApproveAnswer: _STAFF,
    cmd.ReturnAnswerForRework: _STAFF,
    cmd.PublishAnswer: _STAFF,
    # issue 17: the outbox records the delivery its channel confirmed
    cmd.ConfirmAnswerDelivery: _STAFF | {Role.SYSTEM},
    cmd.FastTrackAppeal: _ANSWERERS,
    cmd.RateSatisfaction: _STAFF,
    cmd.ReopenAppeal: _STAFF,
    cmd.MarkDuplicate: _STAFF,
    cmd.LinkAsRepeat: _STAFF,
    cmd.LeaveWithoutAnswer: _STAFF,
    cmd.EscalateAppeal: _ANSWERERS | {Role.SYSTEM},
    cmd.RecordDeadlineBreach: _STAFF | {Role.SYSTEM},
    cmd.RetimeDeadlines: frozenset({Role.SYSTEM}),
    cmd.CloseAppeal: _STAFF,
    # issue 14: 59-ФЗ ст. 11 decisions; ч.5 ends the correspondence by the head's decision only
    cmd.LeaveAnonymousUnanswered: _STAFF,
    cmd.ReturnCourtComplaint: _STAFF,
    cmd.LeaveAbusiveUnanswered: _STAFF,
    cmd.LeaveUnreadableUnanswered: _STAFF,
    cmd.LeaveEssenceUnclearUnanswered: _STAFF,
    cmd.EndCorrespondence: frozenset({Role.HEAD}),
    cmd.ReferToPublishedAnswer: _STAFF,
    cmd.DeclineSecretDisclosure: _STAFF,
    cmd.GiveArticle11Notice: _STAFF,
    # ст.10 ч.1 п.2: requests for information, sent and answered, by those who consider it
    cmd.RequestInformation: _ANSWERERS,
    cmd.RecordInformationReply: _ANSWERERS,
    cmd.SendCopies: _STAFF,
    cmd.ReturnComplaint: _STAFF,  # ст.8 ч.7: as forwarding
    # issue 16: those who consider the appeal add its materials (an executor: the photos of the
    # work done, the signed answer)
    cmd.AddAttachment: _ANSWERERS,
    RecordSourceDeadline: _STAFF,  # issue 16: an imported history's own deadline
    RecordSourceAnswer: _STAFF,  # issue 16: an imported history's answer
    # issue 17: the citizen, through the signed link sent with the answer; nobody else
    RateAnswerAsCitizen: frozenset({Role.CITIZEN}),
}


def authorise(command: type[cmd.Command], actor: Actor, state: AppealState | None) -> None:
    allowed = PERMISSIONS[command]
    if actor.role not in allowed:
        roles = ", ".join(sorted(allowed))
        raise Forbidden(f"the role '{actor.role}' may not {command.action}; allowed: {roles}")
    if actor.role is Role.CITIZEN and (state is None or actor.id != f"{CITIZEN_PREFIX}{state.id}"):
        raise Forbidden("a citizen may rate only the answer to their own appeal")
    if state is not None and not within_department(actor, state.department):
        raise Forbidden(
            "a department executor may act only on appeals assigned to their department"
        )
