"""The archive tests' appeal by post (scan, extension, answer, letters, closing), keys and forgeries."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.appeals import commands as cmd
from domain.appeals.vocabulary import Channel, Kind, Outcome
from domain.attachments.media import AttachmentKind
from domain.outbox.events import Purpose, message_stream
from infra.audit.keys import key_id, load_private, load_public
from infra.container import Container
from tests.support.appeals import ASSIGN, CATEGORISE, OPERATOR, receive
from tests.support.outbox import answer, extend, settle

ADDRESS = "г. Энск, ул. Садовая, д. 7, кв. 12"
SCAN = b"%PDF-1.4\n% a scanned letter\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
ANSWER = "Фонари во дворе дома 7 по ул. Садовой отремонтированы 5 марта."


def signing_keys(folder: Path) -> tuple[Ed25519PrivateKey, dict[str, Any]]:
    private = load_private(folder / "otklik-audit.key")
    public = load_public(folder / "otklik-audit.pub")
    return private, {key_id(public): public}


def letters_appeal(container: Container, text: str = "Не горят фонари во дворе") -> UUID:
    """An appeal by post (the citizen known only by a postal address: its messages are letters),
    registered, categorised, assigned, with a scan attached."""
    app = container.appeals
    contact = cmd.CitizenContactInput(full_name="Сидорова А. В.", postal_address=ADDRESS)
    received = app.receive(
        receive(Kind.APPEAL, Channel.LETTER, citizen=contact, text=text),
        actor=OPERATOR,
        idempotency=None,
    )
    appeal_id = received.state.id
    for command in (cmd.RegisterAppeal(), CATEGORISE, ASSIGN):
        app.handle(appeal_id, command, actor=OPERATOR)
    container.attachments.add(appeal_id, [SCAN], AttachmentKind.SCAN, actor=OPERATOR)
    container.audit.personal_data_read(
        appeal_id, actor=OPERATOR, route="/api/v1/appeals/{id}/citizen", fields=("postal_address",)
    )  # a reading of the citizen's data belongs to the case too
    return appeal_id


def answered_and_closed(container: Container, appeal_id: UUID) -> None:
    """The term extended (a notice goes out), the answer published; the letters printed and
    posted (the answer's records its delivery); the appeal closed."""
    app = container.appeals
    extend(app, appeal_id)
    published = answer(app, appeal_id, ANSWER)
    settle(container)
    for version, purpose in ((published, Purpose.ANSWER),):
        container.outbox.service.printed(
            message_stream(appeal_id, version, purpose), actor=OPERATOR
        )
    settle(container)
    app.handle(appeal_id, cmd.CloseAppeal(outcome=Outcome.ANSWERED), actor=OPERATOR)
    settle(container)


def rewritten(
    source: Path, target: Path, change: Mapping[str, bytes | None], manifest: bool
) -> Path:
    """A copy of the case file with parts replaced (None: dropped); ``manifest``: its digests
    rewritten to match (and its signature dropped), as a forger would."""
    with zipfile.ZipFile(source) as original:
        files = {n: original.read(n) for n in original.namelist()}
    for name, content in change.items():
        if content is None:
            files.pop(name)
        else:
            files[name] = content
    if manifest:
        listed = json.loads(files["manifest.json"])
        listed["files"] = {
            n: hashlib.sha256(c).hexdigest()
            for n, c in files.items()
            if n not in ("manifest.json", "manifest.sig")
        }
        files["manifest.json"] = json.dumps(listed).encode()
        files.pop("manifest.sig")
    with zipfile.ZipFile(target, "w") as out:
        for name, content in files.items():
            out.writestr(name, content)
    return target


def flip_a_byte(history: dict[str, Any]) -> None:
    event = next(e for e in history["events"] if e["type"] == "AppealAssigned")
    stored = bytearray(base64.b64decode(event["stored_b64"]))
    stored[len(stored) // 2] ^= 0x01
    event["stored_b64"] = base64.b64encode(bytes(stored)).decode()
