"""How an attachment changes the appeal's state (issue 16): its address joins the list, so a file
added again is told apart; registered in the same table as every other transition."""

from __future__ import annotations

from domain.appeals import events as ev
from domain.appeals.appeal_state import AppealState
from domain.appeals.transitions import _next, _on


@_on
def _(event: ev.AttachmentAdded, state: AppealState) -> AppealState:
    return _next(state, event, attachments=(*state.attachments, event.sha256))
