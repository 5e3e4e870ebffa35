"""The Open311 routes in the OpenAPI: each success answer as JSON and as the spec's XML, every
refusal in the spec's error shape (a JSON list of ``{code, description}``, or ``<errors>``), and
``POST requests``' form body (the handler reads the form itself, after the api_key)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import msgspec
from litestar import Litestar
from litestar.openapi.spec import (
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    RequestBody,
    Schema,
)
from litestar.routes import HTTPRoute

from api.open311_xml import JSON_MEDIA_TYPE, MEDIA_TYPE
from api.problems_openapi import SUCCESS_CONTENT, ProblemOperation
from api.schemas.open311 import Error, NewRequest

_SCALARS: dict[type[Any], OpenAPIType] = {
    msgspec.inspect.StrType: OpenAPIType.STRING,
    msgspec.inspect.BoolType: OpenAPIType.BOOLEAN,
    msgspec.inspect.IntType: OpenAPIType.INTEGER,
    msgspec.inspect.FloatType: OpenAPIType.NUMBER,
    msgspec.inspect.LiteralType: OpenAPIType.STRING,
}


def _type_schema(kind: Any) -> Schema:
    if isinstance(kind, msgspec.inspect.UnionType):
        return Schema(one_of=[_type_schema(t) for t in kind.types])
    if isinstance(kind, msgspec.inspect.NoneType):
        return Schema(type=OpenAPIType.NULL)
    if isinstance(kind, msgspec.inspect.ListType):
        return Schema(type=OpenAPIType.ARRAY, items=_type_schema(kind.item_type))
    if isinstance(kind, msgspec.inspect.StructType):
        return struct_schema(kind.cls)
    if isinstance(kind, msgspec.inspect.LiteralType):
        return Schema(type=OpenAPIType.STRING, enum=list(kind.values))
    return Schema(type=_SCALARS.get(type(kind), OpenAPIType.STRING))


def struct_schema(cls: type[msgspec.Struct]) -> Schema:
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    return Schema(
        type=OpenAPIType.OBJECT,
        required=[f.name for f in info.fields if f.required],
        properties={f.name: _type_schema(f.type) for f in info.fields},
    )


def content(cls: type[msgspec.Struct], *, many: bool = True) -> dict[str, Schema]:
    """A success answer's media types: JSON (a list of ``cls``, or one) and XML."""
    schema = struct_schema(cls)
    return {
        JSON_MEDIA_TYPE: Schema(type=OpenAPIType.ARRAY, items=schema) if many else schema,
        MEDIA_TYPE: Schema(type=OpenAPIType.STRING),
    }


_ERRORS = {
    JSON_MEDIA_TYPE: OpenAPIMediaType(
        schema=Schema(type=OpenAPIType.ARRAY, items=struct_schema(Error))
    ),
    MEDIA_TYPE: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
}
_RETRY_AFTER = OpenAPIHeader(
    schema=Schema(type=OpenAPIType.INTEGER, minimum=0),
    description="Seconds to wait before trying again.",
)
_FORM = struct_schema(NewRequest)
_FORM.additional_properties = Schema(type=OpenAPIType.STRING)  # attribute[CODE]=value
_FORM.description = (
    "GeoReport v2's form fields; besides them, attribute[CODE]=value pairs. `address` is taken"
    " as `address_string`. The api_key is checked before anything else of the form."
)
FORM_BODY = RequestBody(
    required=True,
    content={
        "application/x-www-form-urlencoded": OpenAPIMediaType(schema=_FORM),
        "multipart/form-data": OpenAPIMediaType(schema=_FORM),
    },
)


@dataclass
class Open311Operation(ProblemOperation):
    """Refusals in the spec's shape, in the format the path names."""

    form: ClassVar[bool] = False

    def __post_init__(self) -> None:
        super().__post_init__()
        for status, response in (self.responses or {}).items():
            if status.startswith("2") or not isinstance(response, OpenAPIResponse):
                continue
            response.content = dict(_ERRORS)
            response.headers = {"Retry-After": _RETRY_AFTER} if status == "503" else None
        if self.form:
            self.request_body = FORM_BODY


OPEN311 = "open311"  # a route handler's opt key: an Open311 route


def document(app: Litestar) -> None:
    """Give the app's Open311 routes (the app's copies of the handlers) their operation class,
    after ``document_problems``, which gives every route the problem statuses it can answer."""
    handlers = [
        handler
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        if handler.opt.get(OPEN311)
    ]
    for handler in handlers:
        handler.operation_class = type(
            "Open311Operation",
            (Open311Operation,),
            {
                "success_content": handler.opt.get(SUCCESS_CONTENT, {}),
                "form": "POST" in handler.http_methods,
            },
        )
