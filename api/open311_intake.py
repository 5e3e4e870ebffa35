"""``POST requests``: the form read, the api_key checked before anything else of it, the fields
held to the spec and to our input domain, then a message on the Open311 channel received and
categorised through the one command handler (as the integration's account), idempotent by the
client's ``Idempotency-Key`` (the intake contract: principal ``intake:open311``)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

import msgspec
from litestar import Request
from litestar.datastructures import UploadFile

from api.auth import Authenticator
from api.open311_fields import contact_of, place_of, text_of
from api.open311_views import Open311Error, jurisdiction, notice, services
from api.schemas.open311 import CreatedRequest, NewRequest
from domain.appeals import commands as cmd
from domain.appeals.application import AppealsApplication, IdempotencyClaim
from domain.appeals.decide import PERMISSIONS
from domain.appeals.vocabulary import Channel, Kind
from domain.rubricator.book import RubricatorBook
from domain.shared.actors import Actor
from domain.shared.inputs import InputRefused

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_ATTRIBUTES = 50
_ATTRIBUTE = re.compile(r"attribute\[([A-Za-z0-9_.-]{1,100})\](\[\])?")
_KEY = re.compile(r"[\x21-\x7e]{1,200}")  # an Idempotency-Key: printable ASCII, no spaces
_ENCODER = msgspec.json.Encoder()
Form = tuple[dict[str, str], dict[str, list[str]]]  # the fields, the attributes


async def read_form(request: Request[Any, Any, Any]) -> Form:
    """The form's fields (each once) and its ``attribute[CODE]`` values; files are refused (the
    spec takes media by ``media_url``)."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() not in FORMS:
        raise Open311Error(400, "the body must be application/x-www-form-urlencoded")
    try:
        form = await request.form()
    except Exception:  # a body the form parser cannot read: nothing of it is repeated
        raise Open311Error(400, "the body is not a readable form") from None
    fields: dict[str, str] = {}
    attributes: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile) or not isinstance(value, str):
            raise Open311Error(400, "files are not taken: give media_url")
        attribute = _ATTRIBUTE.fullmatch(name)
        if attribute is not None:
            attributes.setdefault(attribute[1], []).append(value)
        elif name in fields:
            raise Open311Error(400, "a field is given more than once")
        else:
            fields[name] = value
    if len(attributes) > MAX_ATTRIBUTES:
        raise Open311Error(400, f"at most {MAX_ATTRIBUTES} attributes may be given")
    return fields, attributes


def _account(fields: dict[str, str], authenticate: Authenticator) -> Actor:
    """The integration's account, by its api_key: before anything else of the form is read."""
    key = fields.pop("api_key", "").strip()
    if not key:
        raise Open311Error(400, "api_key was not provided")
    actor = authenticate(key)
    if actor is None:
        raise Open311Error(403, "invalid api_key received: can't proceed with create_request")
    allowed = PERMISSIONS[cmd.ReceiveAppeal] & PERMISSIONS[cmd.CategoriseAppeal]
    if actor.role not in allowed:
        raise Open311Error(403, "the api_key's account may not file requests")
    return actor


def _fields(fields: dict[str, str]) -> NewRequest:
    if "address" in fields and "address_string" not in fields:  # a common spelling
        fields["address_string"] = fields.pop("address")
    known = set(NewRequest.__struct_fields__) - {"api_key"}
    if set(fields) - known:
        raise Open311Error(400, "the form holds a field GeoReport v2 does not define")
    if not fields.get("service_code", "").strip():
        raise Open311Error(400, "service_code was not provided")
    given = {k: v for k, v in fields.items() if v.strip()}
    try:
        return msgspec.convert({**given, "api_key": "-"}, NewRequest, strict=False)
    except msgspec.ValidationError as error:
        where = re.search(r"at `\$\.([a-z_]+)`", str(error))
        field = where[1] if where else "a field"
        raise Open311Error(400, f"{field} is not valid (its type, length or range)") from None


def _claim(actor: Actor, key: str | None, what: str, command: cmd.Command) -> IdempotencyClaim:
    assert key is not None
    fingerprint = hashlib.sha256(what.encode() + b"\n" + _ENCODER.encode(command)).hexdigest()
    return IdempotencyClaim(
        principal=f"intake:{Channel.OPEN311}",
        key=f"{actor.id}/{key}/{what}",
        fingerprint=fingerprint,
    )


def file_request(
    form: Form,
    headers: Mapping[str, str],
    appeals: AppealsApplication,
    rubricator: RubricatorBook,
    authenticate: Authenticator,
) -> CreatedRequest:
    fields, attributes = dict(form[0]), form[1]
    actor = _account(fields, authenticate)
    key = headers.get("idempotency-key")
    if key is not None and not _KEY.fullmatch(key):
        raise Open311Error(400, "Idempotency-Key must be 1–200 printable ASCII characters")
    data = _fields(fields)
    clock = appeals.policy
    municipality = jurisdiction(clock, data.jurisdiction_id)
    day = appeals.clock().astimezone(clock.zone).date()
    listed = {s.service_code: s for s in services(rubricator.rubricator(), day)}
    service = listed.get(data.service_code)
    if service is None:
        raise Open311Error(404, "service_code is not a service of this endpoint")
    text = text_of(data, attributes, service.service_name)
    try:
        receive = cmd.ReceiveAppeal(
            kind=Kind.MESSAGE,
            channel=Channel.OPEN311,
            text=text,
            external_id=key,
            citizen=contact_of(data),
            place=place_of(data),
            municipality=municipality,
        )
    except InputRefused as refused:  # names the field and the rule, never the value
        raise Open311Error(400, refused.message) from None
    claim = _claim(actor, key, "receive", receive) if key else None
    received = appeals.receive(receive, actor=actor, idempotency=claim)
    appeal_id = received.state.id
    categorise = cmd.CategoriseAppeal(topic=service.service_code, essence=text)
    again = _claim(actor, key, "categorise", categorise) if key else None
    appeals.handle(appeal_id, categorise, actor=actor, idempotency=again)
    return CreatedRequest(
        service_request_id=str(appeal_id),
        service_notice=notice(received.state.registration_number),
        account_id=None,
    )
