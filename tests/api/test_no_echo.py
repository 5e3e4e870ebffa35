"""No answer and no log line repeats what was sent. From the server's own OpenAPI, every operation
is called with a distinctive fake phone number in each body field in turn (and as an unknown
field's name), each query and path parameter, and the If-Match and Idempotency-Key headers, by a
role that may call it; the number appears in no refusal's body or headers and in no log line.

A command that succeeds stores the number (an appeal's text is the citizen's text), so a 2xx
answer to a command is not searched (its body and Location name what was stored); read routes are
called before any command is, and each command on a new appeal or claim of its own."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest

from tests.api.test_appeals_api import NEW_MESSAGE, act, auth, receive
from tests.api.test_claims_api import NEW_CLAIM
from tests.api.test_ratings_api import V2
from tests.support.routes import operations

pytestmark = pytest.mark.integration
PHONES = ("+7 (912) 555-01-23", "79125550123")
TRACES = frozenset(f(p) for p in PHONES for f in (str, quote, quote_plus, lambda p: quote(p, "")))
NOW = datetime.now(UTC)
FieldPath = tuple[str | int, ...]
# Bodies the domain accepts, so that a value put into one field reaches the domain's rules; the
# policy and the methodology go under ids of their own and the calendar day is far away, so the
# calls change nothing the other tests read.
BODIES: dict[str, dict[str, Any]] = {
    "ReceiveAppeal": {k: v for k, v in NEW_MESSAGE.items() if k != "citizen"},
    "DetectClaim": NEW_CLAIM,
    "NewMethodology": {**V2, "id": "echo-check"},
    "CorrectDay": {"day": "2100-12-28", "kind": "holiday", "reason": "Проверка эха"},
    "AssignAppeal": {"department": "Управление ЖКХ"},
    "MatchRequest": {"text": "газ"},
}


class Schemas:
    """Example values from the OpenAPI document's JSON schemas."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.components: dict[str, Any] = document["components"]["schemas"]

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[1]]
        for key in ("oneOf", "anyOf"):
            options = [o for o in schema.get(key, []) if o and o.get("type") != "null"]
            if options:
                outer = {k: v for k, v in schema.items() if k != key}
                return {**outer, **self.resolve(options[0])}
        return schema

    def name_of(self, schema: dict[str, Any]) -> str:
        return str(schema.get("$ref", "")).rsplit("/", 1)[-1]

    def example(self, schema: dict[str, Any], name: str = "") -> Any:
        if self.name_of(schema) in BODIES:
            return copy.deepcopy(BODIES[self.name_of(schema)])
        schema = self.resolve(schema)
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type")
        if kind == "object":
            props = schema.get("properties", {})
            return {
                k: self.example(v, k) for k, v in props.items() if k in schema.get("required", [])
            }
        if kind == "array":
            return [self.example(schema["items"], name) for _ in range(schema.get("minItems", 0))]
        if kind in ("integer", "number"):
            low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
            high = schema.get("maximum", schema.get("exclusiveMaximum", low + 2))
            middle = (low + high) / 2
            return max(1, int(middle)) if kind == "integer" else middle
        if kind == "boolean":
            return False
        return self.text(schema, name)

    @staticmethod
    def text(schema: dict[str, Any], name: str) -> str:
        fmt, pattern = schema.get("format"), str(schema.get("pattern", ""))
        if fmt == "date-time":
            return NOW.isoformat()
        if fmt == "date":
            return NOW.date().isoformat()
        if fmt == "uuid" or name.endswith("_of"):
            return "00000000-0000-4000-8000-000000000000"
        if "https?" in pattern:
            return "https://example.org/post/1"
        if pattern.startswith("^[a-z0-9]"):
            return "echo-check"
        return "Проверка эха"

    def paths(
        self, schema: dict[str, Any], prefix: FieldPath = (), depth: int = 0
    ) -> Iterator[FieldPath]:
        """Every field's path in a body (an array's first item standing for its items)."""
        schema = self.resolve(schema)
        if depth > 4:
            return
        if schema.get("type") == "object":
            for name, sub in schema.get("properties", {}).items():
                yield (*prefix, name)
                yield from self.paths(sub, (*prefix, name), depth + 1)
        elif schema.get("type") == "array":
            yield (*prefix, 0)
            yield from self.paths(schema["items"], (*prefix, 0), depth + 1)

    def objects(self, schema: dict[str, Any], prefix: FieldPath = ()) -> Iterator[FieldPath]:
        """The paths of the objects in a body (the body itself first)."""
        if self.resolve(schema).get("type") == "object":
            yield prefix
        for path in self.paths(schema, prefix):
            if self.resolve(self.at(schema, path)).get("type") == "object":
                yield path

    def at(self, schema: dict[str, Any], path: FieldPath) -> dict[str, Any]:
        for step in path:
            schema = self.resolve(schema)
            schema = schema["items"] if isinstance(step, int) else schema["properties"][step]
        return schema

    def spoiled(self, schema: dict[str, Any], base: Any, path: FieldPath, value: Any) -> Any:
        """``base`` with ``value`` at ``path`` (containers on the way made as examples)."""
        body = copy.deepcopy(base)
        node, here = body, schema
        for step in path[:-1]:
            here = self.at(here, (step,))
            if isinstance(step, int):
                if not node:
                    node.append(self.example(here))
                node = node[0]
            else:
                if not isinstance(node.get(step), dict | list):
                    node[step] = self.example(here, step)
                    if isinstance(node[step], list) and not node[step]:
                        node[step].append(self.example(self.resolve(here)["items"], step))
                node = node[step]
        last = path[-1]
        if isinstance(last, int) and isinstance(node, list):
            node[:1] = [value]
        elif isinstance(node, dict):
            node[last] = value
        return body


class Probe:
    def __init__(self, base_url: str, token: str, client: httpx.Client) -> None:
        self.http = httpx.Client(base_url=base_url, headers=auth(token), timeout=30)
        self.client = client
        self.echoes: list[str] = []
        self.failures: list[str] = []
        self.calls = 0

    def fresh(self, template: str) -> dict[str, str]:
        """Path parameters: a new appeal (registered, assigned) or claim for each call, so that no
        call meets a value an earlier one stored."""
        found: dict[str, str] = {
            "policy_id": "echo-check",
            "methodology_id": "v1",
            "unit_id": "ugkh",
            "person_id": "belova",
            "sha256": "0" * 64,
            "code": "0005",
        }
        found["year"] = str(NOW.year)
        # accounts and tokens: ones that do not exist (the head's own must live on)
        found["account_id"] = "echo-check"
        found["token_id"] = "00000000-0000-4000-8000-000000000000"
        found["message_id"] = "00000000-0000-4000-8000-000000000001"  # the outbox: none such
        for n, name in enumerate(("session_id", "task_id", "poll_id", "publication_id"), 2):
            found[name] = f"00000000-0000-4000-8000-00000000000{n}"  # issue 20: none such
        if "{appeal_id}" in template:
            found["appeal_id"] = appeal_id = receive(self.client).json()["id"]
            if not template.endswith("/register"):  # (a number given to register is checked)
                act(self.client, appeal_id, "register")
                act(self.client, appeal_id, "assign", {"department": "Управление ЖКХ"})
        found["service"] = "M.91.json"  # Open311: a service code and its format
        if "{service_request}" in template:
            found["service_request"] = f"{receive(self.client).json()['id']}.xml"
        if "{claim_id}" in template:
            found["claim_id"] = self.client.post("/api/v1/claims", json=NEW_CLAIM).json()["id"]
        return found

    def call(self, method: str, template: str, what: str, **kwargs: Any) -> None:
        params = kwargs.pop("path_params", None) or self.fresh(template)
        path = template.format(**{k: quote(v, safe="") for k, v in params.items()})
        response = self.http.request(method, path, **kwargs)
        self.calls += 1
        if response.status_code >= 500 and response.status_code != 503:
            self.failures.append(f"{method} {template} {what}: {response.status_code}")
        if method == "POST" and response.is_success:
            return  # stored, and named in its Location: the value is the resource's now
        searched = [response.text, *(v for _, v in response.headers.multi_items())]
        if any(trace in text for trace in TRACES for text in searched):
            self.echoes.append(
                f"{method} {template} {what}: {response.status_code} {response.text}"
            )


def required_query(schemas: Schemas, params: list[dict[str, Any]]) -> dict[str, Any]:
    """Values the required query parameters take (methodologies and a period that exist)."""
    query = {
        p["name"]: schemas.example(p["schema"], p["name"])
        for p in params
        if p["in"] == "query" and p.get("required")
    }
    if "base" in query:
        query.update(base="v1", candidate="v1")
    if "period" in query:
        query["period"] = f"{NOW:%Y-%m}"
    return query


def probe_parameter(
    probe: Probe,
    call: tuple[str, str],
    p: dict[str, Any],
    phone: str,
    query: dict[str, Any],
    base: Any,
) -> None:
    """The number in one query, path or header parameter."""
    method, template = call
    where, name = p["in"], p["name"]
    what = f"{where} {name}={phone!r}"
    if where == "query":
        probe.call(method, template, what, params={**query, name: phone}, json=base)
    elif where == "path":
        path_params = {**probe.fresh(template), name: phone}
        probe.call(method, template, what, path_params=path_params, json=base)
    elif where == "header":
        probe.call(method, template, what, params=query, json=base, headers={name: phone})


def probe_body(
    probe: Probe,
    schemas: Schemas,
    call: tuple[str, str],
    schema: dict[str, Any],
    phone: str,
    query: dict[str, Any],
) -> None:
    """The number in each field of the body in turn, then as an unknown field of each object."""
    method, template = call
    base = schemas.example(schema)
    for path in schemas.paths(schema):
        body = schemas.spoiled(schema, base, path, phone)
        probe.call(method, template, f"body {path}={phone!r}", params=query, json=body)
    for path in schemas.objects(schema):
        body = schemas.spoiled(schema, base, (*path, phone), 1)
        probe.call(method, template, f"body {path} unknown field", params=query, json=body)


def probe_operation(probe: Probe, schemas: Schemas, method: str, template: str, op: Any) -> None:
    params = op.get("parameters", [])
    query = required_query(schemas, params)
    body_schema = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = body_schema.get("schema")
    base = schemas.example(schema) if schema else None
    for phone in PHONES:
        for p in params:
            probe_parameter(probe, (method, template), p, phone, query, base)
        if schema is not None:
            probe_body(probe, schemas, (method, template), schema, phone, query)


def views_ready(client: httpx.Client) -> None:
    """A query answers 503 while its view's first build runs: wait, so that queries are probed."""
    deadline = time.monotonic() + 60
    for route in ("/api/v1/appeals", "/api/v1/sla/overdue", "/api/v1/claims"):
        while client.get(route).status_code == 503 and time.monotonic() < deadline:
            time.sleep(0.2)


def test_no_refusal_and_no_log_line_repeats_a_phone_number_sent_anywhere(
    base_url: str,
    openapi: dict[str, Any],
    client: httpx.Client,
    tokens: dict[str, str],
    server_log: Path,
) -> None:
    views_ready(client)
    log_start = server_log.stat().st_size
    schemas = Schemas(openapi)
    probe = Probe(base_url, tokens["head"], client)  # the head may call every route but
    # the administrator's account routes (a 403 before anything is read)
    every = sorted(operations(openapi).items(), key=lambda o: o[0][0] != "GET")
    # reads first: no command has stored the number
    for (method, template), op in every:
        probe_operation(probe, schemas, method, template, op)
    assert probe.calls > 700  # every route of the OpenAPI document, each field and parameter
    with server_log.open("rb") as log:
        log.seek(log_start)
        lines = log.read().decode("utf-8", "replace").splitlines()
    logged = [line for line in lines if any(trace in line for trace in TRACES)]
    assert not probe.failures, "\n".join(probe.failures)
    assert not probe.echoes, "\n".join(probe.echoes[:30])
    assert not logged, "\n".join(logged[:30])
