"""What the Open311 routes show: the services (the rubricator in force), a tracked request (from
the appeal's state or its row in the appeals view: status, service, agency, times; nothing of
the citizen, the text or the place), and answers and refusals in the format the path names."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

import msgspec
from litestar import Request, Response

from api.errors import EXCEPTION_HANDLERS
from api.open311_xml import JSON_MEDIA_TYPE, MEDIA_TYPE, document
from api.outage import OUTAGE_HANDLERS
from api.schemas.open311 import Error, Service, TrackedRequest
from domain.appeals.vocabulary import Outcome, Status
from domain.organisation.directory import Directory
from domain.rubricator.events import Level
from domain.rubricator.state import Entry, Rubricator
from domain.sla.clock import SlaClock

_FORMAT = re.compile(r"\.(json|xml)$")


class Open311Error(Exception):
    """A refusal in the spec's words: the HTTP status is the error's code. The description names
    the field and the rule, never a value sent."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def jurisdiction(clock: SlaClock, given: str | None) -> str | None:
    """The municipality's code (None: the deployment's default one); an unknown one is the spec's
    404."""
    if given is not None and given != clock.municipality and given not in clock.municipalities:
        raise Open311Error(404, "jurisdiction_id is not one this endpoint serves")
    return given


def format_of(path: str) -> str:
    found = _FORMAT.search(path)
    return found[1] if found else "json"


def split_format(segment: str) -> tuple[str, str]:
    """``M.91.json`` → (``M.91``, ``json``); a segment without a known format is refused."""
    found = _FORMAT.search(segment)
    if found is None or found.start() == 0:
        raise Open311Error(404, "the resource must end in .json or .xml")
    return segment[: found.start()], found[1]


def answer(
    fmt: str,
    root: str,
    item: str | None,
    items: Sequence[msgspec.Struct],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    if fmt == "xml":
        return Response(
            document(root, item, items), status_code=status, media_type=MEDIA_TYPE, headers=headers
        )
    body = msgspec.json.encode(list(items) if item is not None else items[0])
    return Response(body, status_code=status, media_type=JSON_MEDIA_TYPE, headers=headers)


def _errors(
    request: Request[Any, Any, Any], status: int, errors: list[Error], **kw: Any
) -> Response[bytes]:
    return answer(format_of(request.url.path), "errors", "error", errors, status=status, **kw)


_HANDLERS: dict[type[Exception] | int, Any] = {**EXCEPTION_HANDLERS, **OUTAGE_HANDLERS}


def on_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """Every refusal on these routes, in the spec's shape: ours as raised; any other as the API's
    problem for it says (its status, value-free detail and headers: Retry-After)."""
    if isinstance(exc, Open311Error):
        return _errors(request, exc.status, [Error(code=exc.status, description=exc.description)])
    handler: Callable[..., Response[Any]] = next(
        _HANDLERS[cls] for cls in type(exc).__mro__ if cls in _HANDLERS
    )
    problem = handler(request, exc)
    body: dict[str, Any] = problem.content
    status = problem.status_code or 500
    errors = [Error(code=status, description=str(body.get("detail", "")))]
    for field in body.get("errors") or ():
        where = f"{field.get('key')}: " if field.get("key") else ""
        errors.append(Error(code=status, description=f"{where}{field.get('message', '')}"))
    kept = {k: v for k, v in problem.headers.items() if k.lower() == "retry-after"}
    return _errors(request, status, errors, headers=kept or None)


OPEN311_ERRORS: dict[type[Exception] | int, Any] = {
    Open311Error: on_error,
    **dict.fromkeys(_HANDLERS, on_error),
}


# --- services --------------------------------------------------------------------------------
def _ancestors(rubricator: Rubricator, entry: Entry, day: date) -> list[Entry]:
    found: list[Entry] = []
    parent = entry.parent
    while parent is not None and len(found) < 5:
        above = rubricator.entry(parent, day)
        if above is None:
            break
        found.append(above)
        parent = above.parent
    return found


def services(rubricator: Rubricator, day: date) -> list[Service]:
    """The entries a citizen files under: every entry in force below a section with nothing in
    force under it (a theme without topics, a topic without questions, a question)."""
    found = []
    for entry in rubricator.entries(day):
        if entry.level is Level.SECTION or rubricator.children(entry.code, day):
            continue
        above = _ancestors(rubricator, entry, day)
        path = " → ".join(e.name for e in (*reversed(above), entry))
        found.append(
            Service(
                service_code=entry.code,
                service_name=entry.name,
                description=path,
                metadata=False,
                type="realtime",
                keywords=", ".join(entry.former_names),
                group=above[0].name if above else entry.name,
            )
        )
    return found


# --- the tracker -------------------------------------------------------------------------------
class Trackable(Protocol):
    """What the tracker reads of an appeal: its state, or its row in the appeals view."""

    @property
    def id(self) -> Any: ...
    @property
    def status(self) -> str: ...
    @property
    def outcome(self) -> str | None: ...
    @property
    def topic(self) -> str | None: ...
    @property
    def topic_code(self) -> str | None: ...
    @property
    def department(self) -> str | None: ...
    @property
    def registration_number(self) -> str | None: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def registered_at(self) -> datetime | None: ...
    @property
    def routed_at(self) -> datetime | None: ...
    @property
    def first_reaction_at(self) -> datetime | None: ...
    @property
    def first_answered_at(self) -> datetime | None: ...
    @property
    def notice_given_at(self) -> datetime | None: ...
    @property
    def closed_at(self) -> datetime | None: ...
    @property
    def answer_due(self) -> datetime | None: ...


STATUS_NOTES = {
    Status.RECEIVED: "Сообщение получено и ожидает регистрации.",
    Status.REGISTERED: "Сообщение зарегистрировано.",
    Status.ASSIGNED: "Сообщение передано ответственному подразделению.",
    Status.ANSWER_DRAFTED: "Готовится ответ.",
    Status.ANSWER_APPROVED: "Готовится ответ.",
    Status.ANSWER_PUBLISHED: "Ответ дан.",
    Status.ANSWER_DELIVERED: "Ответ дан.",
}
CLOSED_NOTES = {
    Outcome.ANSWERED: "Ответ дан, рассмотрение завершено.",
    Outcome.FORWARDED: "Передано по компетенции в другой орган.",
    Outcome.DUPLICATE: "Закрыто как повтор другого сообщения.",
    Outcome.LEFT_WITHOUT_ANSWER: "Оставлено без ответа по основаниям, предусмотренным законом.",
    Outcome.WITHDRAWN: "Отозвано заявителем.",
    Outcome.RETURNED: "Возвращено заявителю.",
}


def _notes(status: str, outcome: str | None) -> str:
    if status == Status.CLOSED:
        if outcome is not None and outcome in set(Outcome):
            return CLOSED_NOTES[Outcome(outcome)]
        return "Рассмотрение завершено."
    return STATUS_NOTES.get(Status(status), "Сообщение рассматривается.")


def _w3(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def notice(registration_number: str | None) -> str:
    if registration_number is None:
        return "Сообщение принято и будет зарегистрировано."
    return f"Сообщение зарегистрировано под номером {registration_number}."


def tracked(
    appeal: Trackable, rubricator: Rubricator, directory: Directory, day: date
) -> TrackedRequest:
    milestones = (
        appeal.received_at,
        appeal.registered_at,
        appeal.routed_at,
        appeal.first_reaction_at,
        appeal.first_answered_at,
        appeal.notice_given_at,
        appeal.closed_at,
    )
    code = appeal.topic_code
    unit = appeal.department
    return TrackedRequest(
        service_request_id=str(appeal.id),
        status="closed" if appeal.status == Status.CLOSED else "open",
        status_notes=_notes(appeal.status, appeal.outcome),
        service_name=(rubricator.name_of(code, day) if code else None) or appeal.topic,
        service_code=code,
        agency_responsible=directory.name_of(unit, day)
        if unit is not None and directory.exists(unit)
        else None,
        service_notice=notice(appeal.registration_number),
        requested_datetime=_w3(appeal.received_at),
        updated_datetime=_w3(max(t for t in milestones if t is not None)),
        expected_datetime=_w3(appeal.answer_due) if appeal.answer_due else None,
    )
