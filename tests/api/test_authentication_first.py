"""Authentication comes before anything of the request is parsed: with no token or a bad one,
every route but the public ones answers 401, whatever its body, query or path holds, and learns
nothing of the schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.shared.actors import Role
from infra.container import Container
from tests.support.routes import (
    OWN_SECRET_OPERATIONS,
    PUBLIC_OPERATIONS,
    concrete,
    operations,
)

pytestmark = pytest.mark.integration

BODIES = (b"{", b'{"zzfield": 1, "text": 7}', b"\xff\xfe", b"[]")
# Authorization headers that name nobody, by what is wrong with them; {valid} and {revoked} stand
# for a live token and a revoked one.
REFUSED: dict[str, str | None] = {
    "none": None,
    "not a token": "Bearer not-a-token",
    "another scheme": "Basic abc",
    "unknown, of a token's shape": "Bearer otk_" + "A" * 43,
    "scheme only": "Bearer",
    "no scheme": "{valid}",
    "a live token under another scheme": "Token {valid}",
    "a live token with more after it": "Bearer {valid} {valid}",
    "revoked": "Bearer {revoked}",
}


@pytest.fixture(scope="module")
def live_and_revoked(container: Container) -> dict[str, str]:
    valid, _ = container.tokens.create(role=Role.HEAD, name="Проверка заголовков")
    revoked = container.tokens.issue(role=Role.HEAD, name="Отозванный")
    assert container.tokens.revoke(revoked.token.token_id)
    return {"valid": valid, "revoked": revoked.secret}


@pytest.fixture(params=list(REFUSED))
def authorization(request: pytest.FixtureRequest, live_and_revoked: dict[str, str]) -> str | None:
    """An Authorization header that names nobody (None: no header at all)."""
    refused = REFUSED[request.param]
    return None if refused is None else refused.format(**live_and_revoked)


def test_every_private_route_answers_401_before_parsing_anything(
    base_url: str, openapi: dict[str, Any], authorization: str | None
) -> None:
    headers = {"Content-Type": "application/json", "If-Match": '"x"'}
    if authorization is not None:
        headers["Authorization"] = authorization
    private = [key for key in operations(openapi) if key not in PUBLIC_OPERATIONS]
    assert len(private) > 40  # the schema lists the staff routes
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for method, path in private:
            for body in BODIES if method != "GET" else (None,):
                answer = client.request(
                    method, concrete(path), content=body, headers=headers, params={"limit": "x"}
                )
                assert answer.status_code == 401, (method, path, answer.text)
                assert answer.headers["content-type"].startswith("application/problem+json")
                assert answer.headers["www-authenticate"].startswith("Bearer")
                assert "zzfield" not in answer.text and "limit" not in answer.text


def test_a_public_route_answers_whatever_authorization_it_is_sent_as_it_does_with_none(
    base_url: str, openapi: dict[str, Any], authorization: str | None
) -> None:
    """A public route opts out of the token: a bad one is not looked at, not refused."""
    public = [key for key in operations(openapi) if key in PUBLIC_OPERATIONS]
    assert len(public) == len(PUBLIC_OPERATIONS)
    headers = {} if authorization is None else {"Authorization": authorization}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for method, path in public:
            bare = client.request(method, concrete(path))
            answer = client.request(method, concrete(path), headers=headers)
            assert answer.status_code == bare.status_code != 401, (method, path)
            assert bare.status_code != 403 or (method, path) in OWN_SECRET_OPERATIONS
            assert "www-authenticate" not in answer.headers


def test_public_routes_need_no_token(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        assert client.get("/health/live").status_code == 200
        assert client.get("/api/v1/methodologies").status_code == 200
        assert client.get("/api/v1/claim-reviews").status_code == 200
        assert client.get("/metrics").status_code == 200


def test_a_refused_token_is_logged_and_counted_as_the_401_it_is(
    base_url: str, server_log: Path
) -> None:
    request_id = "abcdef01-2345-6789-abcd-ef012345abcd"
    path = "/api/v1/appeals/00000000-0000-4000-8000-000000000000/register"
    answer = httpx.post(f"{base_url}{path}", content=b"{", headers={"X-Request-ID": request_id})
    assert answer.status_code == 401
    assert answer.headers["x-request-id"] == request_id
    lines = [line for line in server_log.read_text().splitlines() if request_id in line]
    logged = [json.loads(line) for line in lines if '"request"' in line]
    assert logged and logged[-1]["status"] == 401
    assert logged[-1]["path"] == "/api/v1/appeals/{appeal_id}/register"
    metrics = httpx.get(f"{base_url}/metrics", timeout=30).text
    assert (
        'otklik_commands_total{outcome="denied",route="/api/v1/appeals/{appeal_id}/register"}'
        in metrics
    )
