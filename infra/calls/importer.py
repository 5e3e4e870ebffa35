"""Importing the calls feed: each call a CALL appeal received through the one command handler,
idempotent by (channel, call id) (the intake contract: ``IdempotencyClaim(principal=
"intake:<channel>", key=<call id>, fingerprint=<the receipt's facts>)``), the caller's number as
the citizen's phone (personal data: only in ``AppealReceived``), the operator's summary as the
text, the recording stored and recorded with ``AttachmentAdded`` (kind ``recording``). A second
run appends nothing; a row that breaks a rule is reported and the others go on."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import msgspec

from domain.appeals import commands as cmd
from domain.appeals.vocabulary import Kind
from domain.attachments.media import AttachmentKind
from domain.attachments.service import AttachmentService
from domain.attachments.store import AttachmentRefused, Blob, Staging
from domain.shared.actors import Actor, Role
from domain.shared.errors import DomainError, IdempotencyKeyReused
from domain.shared.handler import IdempotencyClaim
from infra.calls.feed import Call, RowError, read

_CHUNK = 1024 * 1024


class CallsImported(msgspec.Struct, kw_only=True):
    rows: int = 0
    received: int = 0  # new appeals
    replayed: int = 0  # calls imported before: nothing appended
    recordings: int = 0  # recordings newly recorded on an appeal
    errors: list[RowError] = msgspec.field(default_factory=list)


def intake_actor(channel: str) -> Actor:
    """Who the feed's appeals are received by: the intake process of the channel."""
    return Actor(id=f"intake:{channel}", role=Role.OPERATOR, name="Горячая линия: импорт звонков")


def _receipt(call: Call) -> cmd.ReceiveAppeal:
    citizen = cmd.CitizenContactInput(phone=call.caller) if call.caller else None
    return cmd.ReceiveAppeal(
        kind=Kind.CALL,
        channel=call.channel,
        text=call.summary,
        external_id=call.call_id,
        citizen=citizen,
        occurred_at=call.time,
    )


def _claim(call: Call, receipt: cmd.ReceiveAppeal) -> IdempotencyClaim:
    fingerprint = hashlib.sha256(msgspec.json.encode(receipt)).hexdigest()
    return IdempotencyClaim(
        principal=f"intake:{call.channel}", key=call.call_id, fingerprint=fingerprint
    )


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            yield chunk


class CallsImporter:
    def __init__(self, attachments: AttachmentService) -> None:
        self.attachments = attachments
        self.appeals = attachments.appeals

    def run(self, feed: Path) -> CallsImported:
        summary = CallsImported()
        for item in read(feed):
            summary.rows += 1
            if isinstance(item, RowError):
                summary.errors.append(item)
                continue
            error = self._import(item, summary)
            if error is not None:
                summary.errors.append(error)
        return summary

    def _stage(self, call: Call) -> tuple[Staging, Blob] | RowError:
        """The recording staged and checked before anything is recorded of the call."""
        assert call.recording is not None
        staging = self.attachments.stage()
        try:
            for chunk in _file_chunks(call.recording):
                staging.write(chunk)
            return staging, staging.finish()
        except AttachmentRefused as refused:
            staging.discard()
            return RowError(row=call.row, column="recording", rule=refused.message)

    def _import(self, call: Call, summary: CallsImported) -> RowError | None:
        staged = self._stage(call) if call.recording is not None else None
        if isinstance(staged, RowError):
            return staged
        actor = intake_actor(call.channel)
        try:
            receipt = _receipt(call)
            received = self.appeals.receive(receipt, actor=actor, idempotency=_claim(call, receipt))
            if received.replayed:
                summary.replayed += 1
            else:
                summary.received += 1
            if staged is not None:
                staging, blob = staged
                added = self.attachments.record(
                    received.state.id,
                    staging,
                    blob,
                    AttachmentKind.RECORDING,
                    actor=actor,
                    occurred_at=call.time,
                )
                summary.recordings += added.new
        except IdempotencyKeyReused:
            return RowError(row=call.row, column="call_id", rule="imported before with other facts")
        except (DomainError, msgspec.ValidationError) as error:
            rule = error.message if isinstance(error, DomainError) else str(error)
            return RowError(row=call.row, column="*", rule=rule)
        finally:
            if staged is not None:
                staged[0].discard()
        return None
