"""The problem responses in the OpenAPI: each operation lists, as ``application/problem+json`` with
the ``ProblemDetails`` schema, every status ``api.errors`` can answer it with, so that a client or
a fuzzer driven by the schema meets no undocumented answer. One rule for all the routes, read from
each route (its method, path parameters, body, headers, query and whether it is public), and a
short table of what a route's own code raises beyond that. 500 is not documented: it must not
happen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar

import msgspec
from litestar import Litestar
from litestar.enums import ParamType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.params import KwargDefinition
from litestar.routes import HTTPRoute

from api.auth import PUBLIC
from api.errors import PROBLEM_MEDIA_TYPE
from api.outage import takes
from api.request_guard import BODY_METHODS, MAX_BODY_BYTES


class ProblemError(msgspec.Struct, frozen=True, kw_only=True):
    """One field error of a malformed request: the rule broken, and where when it is known."""

    message: str
    key: str = msgspec.field(default_factory=str)  # a safe path to the field; absent if unknown
    source: str = msgspec.field(default_factory=str)  # body, query, path, header or cookie


class ProblemDetails(msgspec.Struct, frozen=True, kw_only=True):
    """An RFC 9457 problem document. ``instance`` is the route's template, never the path sent.
    Some problems carry more members: ``projection``, ``position``, ``min_position``,
    ``failed_at``, ``version``."""

    type: str  # urn:otklik:problem:<code>
    title: str
    status: int
    detail: str
    instance: str
    errors: list[ProblemError] = msgspec.field(default_factory=list)  # a malformed request's


# The extra members (projection, position, …) are allowed: additionalProperties, said outright.
_DOCUMENTED = Annotated[
    ProblemDetails, KwargDefinition(schema_extra={"additionalProperties": True})
]

_400 = (
    "The request is malformed: a path, query or header parameter or the body does not fit its"
    " schema, or a value is refused (`invalid-*`; field errors in `errors`)."
)
_401 = "No valid bearer token: the Authorization header is missing, of another scheme or unknown."
_403 = "The token's role may not call this route, or a department's rule keeps it out."
_404 = "Nothing has the identifier the path names."
_409 = (
    "The state does not allow this command (a rule of the domain), or a concurrent change came"
    " first: reload and decide again."
)
_412 = "If-Match names a version that is no longer the current one: reload and decide again."
_413 = f"The body is larger than {MAX_BODY_BYTES} bytes."
_422 = "The command breaks a rule of its input, or an Idempotency-Key was reused for another one."
_503 = (
    "The database is unavailable or did not answer in time (database-unavailable): retry after"
    " Retry-After seconds."
)
_503_VIEW = (
    " Or the view read is being built (projection-not-ready, with Retry-After) or has failed"
    " (projection-failed, no Retry-After: waiting will not help)."
)
_503_MIN_POSITION = (
    " Or the view has not applied `min_position` in time (projection-behind, with Retry-After)."
)

# What a route's own code answers beyond the rule: (method, path template) → status → why.
ALSO: dict[tuple[str, str], dict[int, str]] = {
    ("GET", "/api/v1/retention/expiring"): {
        422: "`to` does not follow `from`, they are more than ten years apart, or outside 1900–2200."
    },
    ("POST", "/api/v1/appeals"): {
        409: "The appeal was received already, or its registration number is taken."
    },
    ("POST", "/api/v1/claims"): {409: "The claim was detected already, or a concurrent change."},
    ("POST", "/api/v1/calendar/days"): {404: "The production calendar has not been seeded."},
    ("GET", "/api/v1/appeals/{appeal_id}/citizen"): {
        409: "The audit trail is busy with other readings of the appeal: try again."
    },
    ("GET", "/api/v1/ratings"): {
        404: "No methodology is in force for the period, or `methodology` names none published."
    },
    ("GET", "/api/v1/ratings/compare"): {
        404: "`base` or `candidate` names no published methodology."
    },
    ("POST", "/api/v1/accounts"): {409: "An account with this id exists already."},
    ("POST", "/api/v1/accounts/{account_id}/tokens"): {
        409: "The account is disabled, or a concurrent change came first."
    },
    ("POST", "/api/v1/tokens/{token_id}/revoke"): {409: "The token is already revoked."},
    ("POST", "/api/v1/tokens/{token_id}/rotate"): {
        409: "The token is already revoked, or its account is disabled."
    },
    # issue 16: the messenger webhooks check their messenger's secret themselves
    ("POST", "/api/v1/intake/telegram"): {
        403: "The X-Telegram-Bot-Api-Secret-Token header is missing or is not the secret set"
        " with setWebhook.",
        404: "The Telegram webhook is not configured here (OTKLIK_TELEGRAM_SECRET is unset).",
    },
    ("POST", "/api/v1/intake/vk"): {
        403: "The call's `secret` is missing or is not the server's secret key.",
        404: "The VK Callback API is not configured here (OTKLIK_VK_SECRET is unset), or the"
        " confirmation string is not (OTKLIK_VK_CONFIRMATION).",
    },
    ("POST", "/api/v1/appeals/{appeal_id}/attachments"): {
        409: "The appeal's state allows no file of this kind (closed: reopen it first).",
        413: "The file is larger than the configured limit (OTKLIK_ATTACHMENT_MAX_BYTES).",
        415: "The file's bytes are not of an allowed type (whatever Content-Type claims).",
    },
    ("GET", "/api/v1/appeals/{appeal_id}/attachments/{sha256}"): {
        409: "The audit trail is busy with other readings of the appeal: try again."
    },
    ("POST", "/api/v1/imports"): {
        413: "The file is larger than the configured limit (OTKLIK_IMPORT_MAX_BYTES).",
        415: "The Content-Type is not text/csv, the XLSX type or application/x-ndjson.",
        422: "The file cannot be imported at all: not of its type, no column a row needs, or"
        " `profile` names no shipped profile (no row imported).",
    },
    # issue 20: the МЦУ's sessions and the tasks their decisions set
    ("GET", "/api/v1/sessions/composition"): {
        404: "No composition of the МЦУ is in force on that date."
    },
    ("POST", "/api/v1/tasks"): {
        404: "`session_id` names no session, or a cited poll is not imported."
    },
    # issue 18
    ("POST", "/api/v1/privacy/erasures"): {
        404: "`appeal_id` or `subject_id` names no personal data left to erase."
    },
    ("GET", "/api/v1/reports/kpi"): {
        404: "No methodology is in force for the period, or `methodology` names none published."
    },
}

_HEADERS: dict[str, dict[str, OpenAPIHeader]] = {
    "401": {
        "WWW-Authenticate": OpenAPIHeader(
            schema=Schema(type=OpenAPIType.STRING),
            description="The scheme to authenticate with: Bearer.",
            required=True,
        )
    },
    "503": {
        "Retry-After": OpenAPIHeader(
            schema=Schema(type=OpenAPIType.INTEGER, minimum=0),
            description="Seconds to wait before trying again; absent when waiting will not help"
            " (projection-failed).",
        )
    },
}


# A route whose success answer comes in several media types (a report as JSON, CSV or XLSX)
# names them in its ``opt`` under this key: media type → schema.
SUCCESS_CONTENT = "success_content"


@dataclass
class ProblemOperation(Operation):
    """An operation whose problem responses carry their headers (``ResponseSpec`` has none), and
    whose success answer lists every media type the route gives (``SUCCESS_CONTENT``)."""

    success_content: ClassVar[dict[str, Schema]] = {}

    def __post_init__(self) -> None:
        for status, response in (self.responses or {}).items():
            headers = _HEADERS.get(status)
            if headers and isinstance(response, OpenAPIResponse) and _is_problem(response):
                response.headers = {**headers, **(response.headers or {})}
            if status == "200" and self.success_content and isinstance(response, OpenAPIResponse):
                response.content = {
                    media: OpenAPIMediaType(schema=schema)
                    for media, schema in self.success_content.items()
                }


def _operation_class(handler: HTTPRouteHandler) -> type[ProblemOperation]:
    content: dict[str, Schema] | None = handler.opt.get(SUCCESS_CONTENT)
    if not content:
        return ProblemOperation
    return type("ContentOperation", (ProblemOperation,), {"success_content": content})


def _is_problem(response: OpenAPIResponse) -> bool:
    return PROBLEM_MEDIA_TYPE in (response.content or {})


def problem_statuses(
    handler: HTTPRouteHandler, method: str, has_path_parameters: bool
) -> dict[int, str]:
    """The problems the rule gives a route: status → why."""
    statuses = {400: _400}
    if not handler.opt.get(PUBLIC):
        statuses |= {401: _401, 403: _403}
    if has_path_parameters:
        statuses[404] = _404
    if method in BODY_METHODS:
        statuses[413] = _413
    if "data" in handler.parsed_fn_signature.parameters:
        statuses[422] = _422
    if takes(handler, ParamType.HEADER, "If-Match"):
        statuses |= {409: _409, 412: _412}
    unavailable = _503
    if method == "GET":
        unavailable += _503_VIEW
        if takes(handler, ParamType.QUERY, "min_position"):
            unavailable += _503_MIN_POSITION
    statuses[503] = unavailable
    return dict(sorted(statuses.items()))


def document_problems(app: Litestar) -> None:
    """Give every route of ``app`` in the OpenAPI its problem responses (before the schema is
    first built: it is built on the first request for it). Responses a handler declares itself
    are kept. A row of ``ALSO`` that names no route is an error."""
    unused = set(ALSO)
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            statuses: dict[int, str] = {}
            for method in sorted(handler.http_methods):
                key = (method, route.path_format)
                unused.discard(key)
                found = problem_statuses(handler, method, bool(route.path_parameters))
                statuses |= found | ALSO.get(key, {})
            handler.responses = {**_specs(statuses), **(handler.responses or {})}
            handler.operation_class = _operation_class(handler)
    if unused:
        raise LookupError(f"problems listed for routes the app does not have: {sorted(unused)}")


def _specs(statuses: dict[int, str]) -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(
            data_container=_DOCUMENTED,
            media_type=PROBLEM_MEDIA_TYPE,
            description=why,
            generate_examples=False,
        )
        for status, why in sorted(statuses.items())
    }
