"""Open311 GeoReport v2 documents (https://wiki.open311.org/GeoReport_v2), as the spec's examples
name their fields: the service list and definitions, a created request, the status tracker's
request, and the errors. The same structs render as JSON (a list at the top, as the spec's JSON
examples) and as XML (``api.open311_xml``). A tracked request carries no description, address,
coordinates, media URL or anything of the citizen: the tracker is public."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from domain.shared.inputs import Url, line, text


class Service(msgspec.Struct, frozen=True, kw_only=True):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class AttributeValue(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    name: str


class Attribute(msgspec.Struct, frozen=True, kw_only=True):
    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[AttributeValue] = msgspec.field(default_factory=list)


class ServiceDefinition(msgspec.Struct, frozen=True, kw_only=True):
    service_code: str
    attributes: list[Attribute]


class CreatedRequest(msgspec.Struct, frozen=True, kw_only=True):
    """``POST requests``' answer: the request's id at once (no token)."""

    service_request_id: str
    service_notice: str | None
    account_id: str | None  # we keep no citizen accounts: always null


class TrackedRequest(msgspec.Struct, frozen=True, kw_only=True):
    """The public tracker's view of a request: status and who handles it, never its content."""

    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str  # a fixed phrase per state, never free text
    service_name: str | None
    service_code: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None


class Error(msgspec.Struct, frozen=True, kw_only=True):
    code: int
    description: str


# The form fields of POST requests (documented in the OpenAPI; the handler reads the form itself,
# so that the api_key is checked before anything else of it). Besides these:
# ``attribute[CODE]`` (and ``attribute[CODE][]``) pairs.
Text4000 = Annotated[str, text(4000)]


class NewRequest(msgspec.Struct, frozen=True, kw_only=True):
    api_key: Annotated[str, line(200)]
    service_code: Annotated[str, line(100)]
    jurisdiction_id: Annotated[str, line(100)] | None = None
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    long: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None
    address_string: Annotated[str, line(1000)] | None = None
    address_id: Annotated[str, line(200)] | None = None
    email: Annotated[str, line(300)] | None = None
    device_id: Annotated[str, line(200)] | None = None
    account_id: Annotated[str, line(200)] | None = None
    first_name: Annotated[str, line(150)] | None = None
    last_name: Annotated[str, line(150)] | None = None
    phone: Annotated[str, line(50)] | None = None
    description: Text4000 | None = None
    media_url: Url | None = None
