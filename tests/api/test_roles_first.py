"""Authorisation comes before validation: every private operation of the OpenAPI has a role guard,
and a role that may not call it gets 403 whatever its body, query or headers hold, learning
nothing of the schema; a role that may call it gets 400 for the same malformed request. Who may
call what is read from the guards the routes declare (``api.auth.roles``), and checked against the
grants the README states."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest

from api.app import ROUTE_HANDLERS
from api.auth import PUBLIC, RoleGuard, guard_of
from domain.shared.actors import Role
from infra.container import Container
from tests.api.test_appeals_api import assert_problem, auth
from tests.conftest import event_count
from tests.support.guards import Operation, declared_guards
from tests.support.routes import PUBLIC_OPERATIONS, concrete, operations

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]
MALFORMED_JSON = b"{"
# every role but the system's processes holds tokens of its own: issues them to its own account,
# lists, revokes and rotates them (the handler keeps it to its own)
OWN_TOKENS = {
    ("POST", "/api/v1/accounts/{account_id}/tokens"),
    ("GET", "/api/v1/tokens"),
    ("POST", "/api/v1/tokens/{token_id}/revoke"),
    ("POST", "/api/v1/tokens/{token_id}/rotate"),
}
BAD_HEADERS = {"If-Match": "garbage", "Idempotency-Key": "not a key"}  # both refused by parsing


@pytest.fixture(scope="module")
def role_tokens(container: Container, tokens: dict[str, str]) -> dict[Role, str]:
    """One token for each role (the executor bound to a department)."""
    made = {Role(name): token for name, token in tokens.items() if name != "other_executor"}
    for role in (Role.SYSTEM, Role.ADMINISTRATOR, Role.SECURITY_ADMIN):
        made[role], _ = container.tokens.create(role=role, name=f"Проверка ролей: {role.value}")
    assert set(made) == set(Role) - {Role.CITIZEN}  # the citizen holds a rating link, no token
    return made


@pytest.fixture
def http(base_url: str) -> Iterator[httpx.Client]:
    """A client with no token of its own: each request names its role's."""
    with httpx.Client(base_url=base_url, timeout=30) as c:
        yield c


def private_operations(schema: dict[str, Any]) -> dict[Operation, RoleGuard]:
    guards = declared_guards()
    private: dict[Operation, RoleGuard] = {}
    for key in operations(schema):
        guard = guards[key]
        if key not in PUBLIC_OPERATIONS:
            assert guard is not None, f"{key} declares no role guard"
            private[key] = guard
    return private


def _types(schema: dict[str, Any], components: dict[str, Any]) -> set[str]:
    """The JSON types a schema accepts (one level of ``$ref``, ``oneOf`` and ``anyOf``)."""
    if "$ref" in schema:
        return _types(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    choices: list[dict[str, Any]] = schema.get("oneOf", schema.get("anyOf", []))
    if choices:
        return {t for choice in choices for t in _types(choice, components)}
    kind = schema.get("type", "object")
    return set(kind) if isinstance(kind, list) else {kind}


def wrong_typed_body(operation: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """Every field of the body with a value of a type the field does not take."""
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    fields = components[ref.rsplit("/", 1)[-1]]["properties"]
    assert fields, ref
    body = {}
    for name, field in fields.items():
        takes = _types(field, components)
        body[name] = next(
            value
            for value, kinds in ((7, {"integer", "number"}), ("x", {"string"}), ([7], {"array"}))
            if not takes & kinds
        )
    return body


def malformed_query(operation: dict[str, Any]) -> dict[str, str]:
    """A value each typed query parameter refuses (a number, a date, a UUID, a pattern); the
    required ones are left out."""
    query = {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "query" or parameter.get("required"):
            continue
        schema = parameter["schema"]
        typed = [s for s in schema.get("oneOf", [schema]) if s.get("type") != "null"]
        if any(s.get("type") in ("integer", "number") or "format" in s for s in typed):
            query[parameter["name"]] = "x"
        elif any("pattern" in s for s in typed):
            query[parameter["name"]] = "!"
    return query


def has_required_query(operation: dict[str, Any]) -> bool:
    return any(p["in"] == "query" and p.get("required") for p in operation.get("parameters", []))


def forbidden_detail(role: Role, guard: RoleGuard) -> str:
    return f"the role '{role}' may not {guard.action}; allowed: {', '.join(sorted(guard.allowed))}"


def test_every_private_operation_has_a_role_guard_and_no_public_one_has(
    openapi: dict[str, Any],
) -> None:
    guards = declared_guards()
    listed = operations(openapi)
    assert set(guards) == set(listed)  # every route is in the OpenAPI, and only those
    assert {key for key, guard in guards.items() if guard is None} == PUBLIC_OPERATIONS
    for handler in ROUTE_HANDLERS:  # a public route opts out of the token; no other one does
        assert (guard_of(handler) is None) == bool(handler.opt.get(PUBLIC)), handler.paths
    private = private_operations(openapi)
    assert len(private) == len(listed) - len(PUBLIC_OPERATIONS) > 40


def test_the_guards_grant_what_the_readme_says(openapi: dict[str, Any]) -> None:
    allowed = {key: guard.allowed for key, guard in private_operations(openapi).items()}
    editors = {Role.CURATOR, Role.HEAD, Role.ADMINISTRATOR}
    assert allowed[("POST", "/api/v1/sla/policies/{policy_id}")] == editors
    assert allowed[("POST", "/api/v1/calendar/days")] == editors
    assert allowed[("POST", "/api/v1/methodologies")] == editors | {Role.ANALYST}
    assert allowed[("POST", "/api/v1/imports")] == editors  # issue 16: a channel's export
    report_readers = {Role.ANALYST, Role.CURATOR, Role.HEAD, Role.AUDITOR}
    for report in ("kpi", "summary", "hot-topics", "workload"):
        assert allowed[("GET", f"/api/v1/reports/{report}")] == report_readers
    for audit in ("personal-data-reads", "ledger"):
        assert allowed[("GET", f"/api/v1/audit/{audit}")] == {Role.AUDITOR, Role.HEAD}
    history = allowed[("GET", "/api/v1/appeals/{appeal_id}/history")]
    assert history == {Role.AUDITOR, Role.HEAD, Role.EXECUTOR}
    # the citizen's contact: the roles that answer only
    answerers = {Role.OPERATOR, Role.EXECUTOR, Role.CURATOR, Role.HEAD}
    assert allowed[("GET", "/api/v1/appeals/{appeal_id}/citizen")] == answerers
    commands = {key: roles for key, roles in allowed.items() if key[0] == "POST"}
    # operator, curator and head act on every appeal; the executor answers
    for action in ("register", "assign", "close"):
        key = ("POST", f"/api/v1/appeals/{{appeal_id}}/{action}")
        assert allowed[key] == {Role.OPERATOR, Role.CURATOR, Role.HEAD}
    assert Role.EXECUTOR in allowed[("POST", "/api/v1/appeals/{appeal_id}/answer")]
    # the system role records breaches through the API, nothing else
    assert {key for key, roles in commands.items() if Role.SYSTEM in roles} == {
        ("POST", "/api/v1/appeals/{appeal_id}/record-breach"),
        ("POST", "/api/v1/claims/{claim_id}/record-breach"),
    }
    # auditors and analysts read (matching a post is a question, asked with a body); the
    # analyst publishes methodologies
    question = ("POST", "/api/v1/claims/match")
    assert {key for key, roles in commands.items() if Role.AUDITOR in roles} - OWN_TOKENS == {
        question
    }
    assert {key for key, roles in commands.items() if Role.ANALYST in roles} - OWN_TOKENS == {
        question,
        ("POST", "/api/v1/methodologies"),
    }
    # operator, curator and head act on every appeal: every command on one is theirs
    appeal_commands = [key for key in commands if key[1].startswith("/api/v1/appeals/{")]
    assert len(appeal_commands) > 20
    # (but ст.11 ч.5 59-ФЗ: ending the correspondence is the head's decision alone, and
    # ст.12 ч.2 59-ФЗ: the head extends a term)
    head_only = ("POST", "/api/v1/appeals/{appeal_id}/end-correspondence")
    extend = ("POST", "/api/v1/appeals/{appeal_id}/extend-deadline")
    assert allowed[head_only] == {Role.HEAD}
    assert allowed[extend] == {Role.HEAD}
    for key in appeal_commands:
        if key not in (head_only, extend):
            assert {Role.OPERATOR, Role.CURATOR, Role.HEAD} <= allowed[key], key
    # auditors and the head read every appeal; a department executor reads its state, history,
    # deadlines and contact (the department rule is the handler's)
    appeal_reads = ("", "/history", "/sla")
    for read in appeal_reads:
        assert {Role.AUDITOR, Role.HEAD} <= allowed[("GET", f"/api/v1/appeals/{{appeal_id}}{read}")]
    for read in (*appeal_reads, "/citizen"):
        assert Role.EXECUTOR in allowed[("GET", f"/api/v1/appeals/{{appeal_id}}{read}")]
    # the system role reads nothing but the read models' status, open to every role
    status = ("GET", "/api/v1/projections")
    assert allowed[status] == set(Role)
    reads = {key for key, roles in allowed.items() if key[0] == "GET" and Role.SYSTEM in roles}
    assert reads == {status}


def test_the_access_routes_grant_what_the_readme_says(openapi: dict[str, Any]) -> None:
    allowed = {key: guard.allowed for key, guard in private_operations(openapi).items()}
    for key in OWN_TOKENS:
        assert allowed[key] == set(Role) - {Role.SYSTEM}, key
    # the administrator opens, changes, disables and enables accounts; the auditor and the head
    # read them too (who could do what, on any date)
    for action in ("", "/{account_id}/disable", "/{account_id}/enable", "/{account_id}/roles"):
        assert allowed[("POST", f"/api/v1/accounts{action}")] == {Role.ADMINISTRATOR}
    for read in ("", "/{account_id}"):
        assert allowed[("GET", f"/api/v1/accounts{read}")] == {
            Role.ADMINISTRATOR,
            Role.AUDITOR,
            Role.HEAD,
        }


def test_a_role_that_may_not_call_an_operation_gets_403_before_anything_is_parsed(
    http: httpx.Client, openapi: dict[str, Any], role_tokens: dict[Role, str], sql: Conn
) -> None:
    components = openapi["components"]["schemas"]
    listed = operations(openapi)
    before = event_count(sql)
    checked = 0
    for (method, path), guard in private_operations(openapi).items():
        operation = listed[(method, path)]
        bodies: list[Any] = [None]
        if "requestBody" in operation:
            bodies = [MALFORMED_JSON, wrong_typed_body(operation, components)]
        for role in set(Role) - guard.allowed - {Role.CITIZEN}:
            headers = {**auth(role_tokens[role]), **BAD_HEADERS}
            for body in bodies:
                answer = http.request(
                    method,
                    concrete(path),
                    params=malformed_query(operation),
                    headers=headers,
                    **({"json": body} if isinstance(body, dict) else {"content": body}),
                )
                problem = assert_problem(answer, 403, "forbidden")
                assert problem["detail"] == forbidden_detail(role, guard), (method, path)
                assert problem["instance"] == path and "errors" not in problem
        checked += guard.allowed != set(Role)
    assert event_count(sql) == before
    # every operation has a role that may not call it, but the read models' status
    assert checked == len(listed) - len(PUBLIC_OPERATIONS) - 1


def test_a_role_that_may_call_an_operation_gets_400_for_a_malformed_body_or_query(
    http: httpx.Client, openapi: dict[str, Any], role_tokens: dict[Role, str], sql: Conn
) -> None:
    components = openapi["components"]["schemas"]
    listed = operations(openapi)
    before = event_count(sql)
    checked = 0
    for (method, path), guard in private_operations(openapi).items():
        operation = listed[(method, path)]
        role = min(guard.allowed)  # any role the guard lets through
        headers = auth(role_tokens[role])
        query = malformed_query(operation)
        if "requestBody" in operation:
            # JSON that does not parse: Litestar's own 400 (no field to name)
            assert_problem(
                http.request(method, concrete(path), headers=headers, content=MALFORMED_JSON),
                400,
            )
            wrong = wrong_typed_body(operation, components)
            answer = http.request(method, concrete(path), headers=headers, json=wrong)
            assert assert_problem(answer, 400, "invalid-request")["errors"], (method, path)
            checked += 1
        if query or has_required_query(operation):
            answer = http.request(method, concrete(path), headers=headers, params=query)
            assert_problem(answer, 400, "invalid-request")
            checked += "requestBody" not in operation
    assert event_count(sql) == before
    assert checked > 40


def test_every_role_that_may_call_an_operation_gets_past_its_guard_to_the_parsing(
    http: httpx.Client, openapi: dict[str, Any], role_tokens: dict[Role, str], sql: Conn
) -> None:
    """The other half of the matrix: each role the guard lets through (not only one of them) gets
    its malformed body or query refused by the parsing, 400 with the field errors; a request
    with nothing to malform gets the route's own answer, neither 401 nor 403."""
    components = openapi["components"]["schemas"]
    listed = operations(openapi)
    before = event_count(sql)
    pairs = 0
    for (method, path), guard in private_operations(openapi).items():
        operation = listed[(method, path)]
        query = malformed_query(operation)
        for role in sorted(guard.allowed - {Role.CITIZEN}):  # a citizen holds no token
            headers = auth(role_tokens[role])
            where = (method, path, role)
            if "requestBody" in operation:
                wrong = wrong_typed_body(operation, components)
                answer = http.request(method, concrete(path), headers=headers, json=wrong)
                assert assert_problem(answer, 400, "invalid-request")["errors"], where
            elif query or has_required_query(operation):
                answer = http.request(method, concrete(path), headers=headers, params=query)
                assert_problem(answer, 400, "invalid-request")
            else:
                answer = http.request(method, concrete(path), headers=headers)
                assert answer.status_code not in (401, 403), (where, answer.text)
            pairs += 1
    assert event_count(sql) == before
    assert (
        pairs
        == sum(len(g.allowed - {Role.CITIZEN}) for g in private_operations(openapi).values())
        > 200
    )
