"""The OpenAPI says what the server does with an unknown field in a request body: every body is a
struct that refuses them, and its schema says ``additionalProperties: false``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.test_appeals_api import NEW_MESSAGE, auth

pytestmark = pytest.mark.integration


def body_schemas(openapi: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each operation's JSON request body schema, its reference followed."""
    components = openapi["components"]["schemas"]
    found = {}
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema is None:
                continue
            if "$ref" in schema:
                schema = components[schema["$ref"].rsplit("/", 1)[-1]]
            found[f"{method.upper()} {path}"] = schema
    return found


def test_every_request_body_says_it_refuses_unknown_fields(openapi: dict[str, Any]) -> None:
    bodies = body_schemas(openapi)
    assert len(bodies) > 30
    open_ones = [op for op, s in bodies.items() if s.get("additionalProperties") is not False]
    assert not open_ones, open_ones


def test_and_the_server_does_refuse_them(client: httpx.Client, tokens: dict[str, str]) -> None:
    answer = client.post(
        "/api/v1/appeals",
        json={**NEW_MESSAGE, "surprise": 1},
        headers=auth(tokens["operator"]),
    )
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")
