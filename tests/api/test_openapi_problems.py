"""The OpenAPI documents every problem a route answers: a client or a fuzzer driven by the schema
meets no application/problem+json answer the schema does not list, and the answers fit the
``ProblemDetails`` schema it names."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from tests.support.routes import PUBLIC_OPERATIONS, operations

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
PROBLEM_REF = "#/components/schemas/ProblemDetails"
_TYPES: dict[str, type] = {
    "string": str,
    "integer": int,
    "array": list,
    "object": dict,
    "boolean": bool,
}


def _documents_problem(operation: dict[str, Any], status: int) -> dict[str, Any]:
    response: dict[str, Any] = operation["responses"].get(str(status))
    assert response is not None, f"{status} is not documented"
    assert set(response["content"]) == {PROBLEM}
    assert response["content"][PROBLEM]["schema"] == {"$ref": PROBLEM_REF}
    return response


def _documents_open311_errors(operation: dict[str, Any]) -> None:
    """Open311 routes answer refusals in the spec's shape, in JSON or XML as the path asks."""
    for status in ("400", "503"):
        response = operation["responses"].get(status)
        assert response is not None, f"{status} is not documented"
        assert set(response["content"]) <= {"application/json", "text/xml"}
        assert response["content"]


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref is None:
        return node
    found: dict[str, Any] = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return found


def _check(schema: dict[str, Any], node: dict[str, Any], value: Any, where: str) -> None:
    """The subset of JSON Schema ProblemDetails uses: type, required, properties, items."""
    node = _resolve(schema, node)
    if "type" in node:
        wanted = _TYPES[node["type"]]
        assert isinstance(value, wanted) and not (isinstance(value, bool) and wanted is int), (
            f"{where}: {value!r} is not {node['type']}"
        )
    for member in node.get("required", []):
        assert isinstance(value, dict) and member in value, f"{where}: no {member}"
    for member, sub in node.get("properties", {}).items():
        if isinstance(value, dict) and member in value:
            _check(schema, sub, value[member], f"{where}.{member}")
    if "items" in node and isinstance(value, list):
        for i, item in enumerate(value):
            _check(schema, node["items"], item, f"{where}[{i}]")


def test_the_problem_schema(openapi: dict[str, Any]) -> None:
    problem = openapi["components"]["schemas"]["ProblemDetails"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance"}
    assert problem["additionalProperties"] is True  # projection, position, min_position, …
    assert problem["properties"]["status"]["type"] == "integer"
    error = _resolve(openapi, problem["properties"]["errors"]["items"])
    assert set(error["properties"]) == {"key", "message", "source"}
    assert "500" not in {s for op in operations(openapi).values() for s in op["responses"]}


def test_every_operation_documents_its_problems(openapi: dict[str, Any]) -> None:
    every = operations(openapi)
    assert len(every) > 50
    for (method, path), operation in every.items():
        where = f"{method} {path}"
        if path.startswith("/open311/"):  # the GeoReport spec's own errors: [{code, description}]
            _documents_open311_errors(operation)
            continue
        try:
            _documents_problem(operation, 400)
            unavailable = _documents_problem(operation, 503)
            assert "Retry-After" in unavailable["headers"]
            private = (method, path) not in PUBLIC_OPERATIONS
            if private:
                unauthenticated = _documents_problem(operation, 401)
                assert unauthenticated["headers"]["WWW-Authenticate"]["required"] is True
                _documents_problem(operation, 403)
            else:
                assert "401" not in operation["responses"]
            parameters = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
            if any(place == "path" for place, _ in parameters):
                _documents_problem(operation, 404)
            if method == "POST" and "requestBody" in operation:
                _documents_problem(operation, 413)
                _documents_problem(operation, 422)
            if ("header", "If-Match") in parameters:
                _documents_problem(operation, 409)
                _documents_problem(operation, 412)
            if ("query", "min_position") in parameters:
                assert "projection-behind" in unavailable["description"]
            success = [s for s in operation["responses"] if s.startswith("2")]
            assert len(success) == 1  # the success response is still there, as it was
            assert PROBLEM not in operation["responses"][success[0]].get("content", {})
        except AssertionError as error:
            raise AssertionError(f"{where}: {error}") from error


def _operation(schema: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    template = next(
        p for p in schema["paths"] if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", p), path)
    )
    operation: dict[str, Any] = schema["paths"][template][method.lower()]
    return operation


@pytest.mark.parametrize(
    ("method", "path", "params", "token", "status"),
    [
        ("GET", f"/api/v1/appeals/{uuid.uuid4()}", {}, "operator", 404),
        ("GET", "/api/v1/methodologies/no-such-methodology", {}, None, 404),
        ("GET", "/api/v1/appeals", {}, None, 401),
        ("POST", "/api/v1/appeals", {}, "analyst", 403),
        ("GET", "/api/v1/appeals", {"limit": "many"}, "operator", 400),
        ("GET", "/api/v1/ratings", {"period": "someday"}, None, 400),
    ],
)
def test_real_problems_fit_the_schema(
    openapi: dict[str, Any],
    base_url: str,
    tokens: dict[str, str],
    method: str,
    path: str,
    params: dict[str, str],
    token: str | None,
    status: int,
) -> None:
    headers = {"Authorization": f"Bearer {tokens[token]}"} if token else {}
    body: dict[str, Any] | None = {} if method == "POST" else None
    answer = httpx.request(
        method, f"{base_url}{path}", params=params, headers=headers, json=body, timeout=30
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    documented = _documents_problem(_operation(openapi, method, path), answer.status_code)
    problem = answer.json()
    _check(openapi, documented["content"][PROBLEM]["schema"], problem, "problem")
    assert problem["status"] == status
    for header in documented.get("headers", {}):
        assert header in answer.headers
