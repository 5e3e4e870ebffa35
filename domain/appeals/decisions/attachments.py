"""Attachments (issue 16): a stored file recorded as the appeal's, once per content.

When: from its receipt on (materials come with the appeal, before its registration), while it is
open; on a closed appeal only the signed answer as sent (the record of what went out, often
scanned after the closing), anything else needs the appeal reopened. The same content added
again records nothing: the content's address already names it."""

from __future__ import annotations

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.decisions.context import Context, Decisions
from domain.appeals.state import AppealState
from domain.attachments.media import ALLOWED, AttachmentKind
from domain.shared.errors import InvalidCommand

DECISIONS = Decisions()


def allowed_when_closed(state: AppealState, command: cmd.Command) -> bool:
    """On a closed appeal: the signed answer as sent (or a file it has already: nothing new)."""
    return isinstance(command, cmd.AddAttachment) and (
        command.kind is AttachmentKind.ANSWER or command.sha256 in state.attachments
    )


@DECISIONS.handles(cmd.AddAttachment)
def _add(command: cmd.AddAttachment, c: Context) -> list[ev.AppealEvent]:
    if command.media_type not in ALLOWED:
        raise InvalidCommand("an attachment's media type must be one of the allowed ones")
    if command.sha256 in c.s.attachments:
        return []  # the same content again: the appeal has it
    return [
        ev.AttachmentAdded(
            **c.envelope(),
            sha256=command.sha256,
            size=command.size,
            media_type=command.media_type,
            kind=command.kind,
        )
    ]
