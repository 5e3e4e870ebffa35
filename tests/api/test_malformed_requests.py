"""HTTP parsing answers 400, never 500, and appends nothing: bodies that are not UTF-8 or nest too
deep (with a token; without one, 401 before the body is read; a megabyte string that never
closes is read in linear time),
If-Match and Idempotency-Key that are not ASCII, control characters in the query or the path, NUL
in a text."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
import pytest

from tests.api.test_appeals_api import NEW_MESSAGE, assert_problem, auth, receive
from tests.api.test_claims_api import NEW_CLAIM
from tests.api.test_ratings_api import V2
from tests.conftest import event_count

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]
JSON = {"Content-Type": "application/json"}
SUPERSCRIPT_TWO = '"²"'  # a digit to str.isdigit, not to int()


def post_raw(
    base_url: str, path: str, content: bytes, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.post(f"{base_url}{path}", content=content, headers={**JSON, **(headers or {})})


@pytest.mark.parametrize("with_token", [False, True])
@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b"[" * 100_000,  # never closed
        b'{"kind": "message", "channel": "pos", "text": "'
        + b"[" * 1000
        + b'", "x": '
        + b"[" * 65
        + b"]" * 65
        + b"}",
    ],
    ids=["arrays", "objects", "unclosed", "deep-after-a-string-of-brackets"],
)
def test_a_body_nested_deeper_than_64_levels_is_400(
    base_url: str, tokens: dict[str, str], sql: Conn, content: bytes, with_token: bool
) -> None:
    before = event_count(sql)
    headers = auth(tokens["operator"]) if with_token else {}
    response = post_raw(base_url, "/api/v1/appeals", content, headers)
    if with_token:
        assert "64" in assert_problem(response, 400, "invalid-body")["detail"]
    else:  # authentication first: a stranger's body is not even read
        assert_problem(response, 401, "unauthenticated")
    assert event_count(sql) == before


# A string of escaped quotes that never closes, a megabyte long: it once took the depth check
# minutes (a regex went back over the rest of the body from every quote).
ESCAPED_QUOTES = b'"' + b'\\"' * (1 << 19)


@pytest.mark.parametrize("with_token", [False, True])
def test_a_megabyte_string_that_never_closes_after_65_levels_is_too_deep(
    base_url: str, tokens: dict[str, str], sql: Conn, with_token: bool
) -> None:
    before = event_count(sql)
    headers = auth(tokens["operator"]) if with_token else {}
    response = post_raw(base_url, "/api/v1/appeals", b"[" * 65 + ESCAPED_QUOTES, headers)
    if with_token:
        assert "64" in assert_problem(response, 400, "invalid-body")["detail"]
    else:
        assert_problem(response, 401, "unauthenticated")
    assert event_count(sql) == before


def test_a_megabyte_string_that_never_closes_within_64_levels_reaches_the_parser(
    base_url: str, tokens: dict[str, str], sql: Conn
) -> None:
    before = event_count(sql)
    content = b"[]" * 70 + b"[" * 64 + ESCAPED_QUOTES + b"[" * 1000
    response = post_raw(base_url, "/api/v1/appeals", content, auth(tokens["operator"]))
    problem = assert_problem(response, 400)
    # the parser's answer (malformed JSON), not the guard's
    assert problem["type"] != "urn:otklik:problem:invalid-body"
    assert event_count(sql) == before


def test_brackets_inside_strings_and_64_levels_pass_the_depth_limit(
    base_url: str, tokens: dict[str, str]
) -> None:
    text = "[" * 500 + "{" * 500
    fine = httpx.post(
        f"{base_url}/api/v1/claims/match", json={"text": text}, headers=auth(tokens["operator"])
    )
    assert fine.status_code in (200, 503), fine.text  # 503: the claims view is still building
    nested: Any = 1
    for _ in range(63):
        nested = [nested]
    deep = httpx.post(
        f"{base_url}/api/v1/claims/match",
        json={"text": "газ", "limit": nested},
        headers=auth(tokens["operator"]),
    )
    assert_problem(deep, 400, "invalid-request")  # the schema refuses it, not the depth limit


@pytest.mark.parametrize("with_token", [False, True])
@pytest.mark.parametrize(
    "content",
    [
        b'{"kind": "message", "channel": "pos", "text": "\xff\xfe"}',
        b'{"kind": "message", "channel": "pos", "text": "\xed\xa0\x80"}',  # a UTF-8 surrogate
        b'{"kind": "message", "channel": "pos", "text": "\xd0"}',  # a cut character
    ],
)
def test_a_body_that_is_not_utf8_is_400(
    base_url: str, tokens: dict[str, str], sql: Conn, content: bytes, with_token: bool
) -> None:
    before = event_count(sql)
    headers = auth(tokens["operator"]) if with_token else {}
    status, code = (400, "invalid-body") if with_token else (401, "unauthenticated")
    assert_problem(post_raw(base_url, "/api/v1/appeals", content, headers), status, code)
    assert event_count(sql) == before


def test_a_non_ascii_digit_in_if_match_is_400_on_every_command_route(
    base_url: str, client: httpx.Client, tokens: dict[str, str], sql: Conn
) -> None:
    appeal_id = receive(client).json()["id"]
    claim_id = client.post("/api/v1/claims", json=NEW_CLAIM).json()["id"]
    curator = auth(tokens["curator"])
    analyst = auth(tokens["analyst"])
    before = event_count(sql)
    assessment = {
        "verdict": "false",
        "evidence": ["Справка газовой службы"],
        "department": "Управление ЖКХ",
        "rationale": "Плановых отключений нет",
    }
    day = {"day": "2026-12-30", "kind": "holiday", "reason": "Региональный праздник"}
    policy = {"title": "Региональные сроки", "rules": [], "note": "Проверка If-Match"}
    routes: list[tuple[str, dict[str, Any], dict[str, str]]] = [
        (f"/api/v1/appeals/{appeal_id}/register", {}, curator),
        (f"/api/v1/claims/{claim_id}/assess", assessment, curator),
        ("/api/v1/calendar/days", day, curator),
        ("/api/v1/sla/policies/federal", policy, curator),
        ("/api/v1/methodologies", {**V2, "id": "if-match-check"}, analyst),
    ]
    for if_match in (SUPERSCRIPT_TWO, '"٣"', '"1²"', 'W/"³"', '"99999999999999999999999"'):
        for path, body, headers in routes:
            response = httpx.post(
                f"{base_url}{path}",
                json=body,
                headers=[
                    *((k.encode(), v.encode()) for k, v in headers.items()),
                    (b"If-Match", if_match.encode()),
                ],
            )
            assert_problem(response, 400, "invalid-if-match")
    assert event_count(sql) == before


def test_an_idempotency_key_that_is_not_printable_ascii_is_400(
    base_url: str, tokens: dict[str, str], sql: Conn
) -> None:
    before = event_count(sql)
    for key in ("ключ".encode(), b"two words", b"tab\there", b"x" * 201):
        response = httpx.post(
            f"{base_url}/api/v1/appeals",
            json=NEW_MESSAGE,
            headers=[
                (b"Authorization", f"Bearer {tokens['operator']}".encode()),
                (b"Idempotency-Key", key),
            ],
        )
        assert_problem(response, 400, "invalid-request")
    assert event_count(sql) == before


def test_a_nul_or_a_lone_surrogate_in_a_text_to_match_is_refused(client: httpx.Client) -> None:
    for escaped in (b"a\\u0000b", b"\\u0000", b"\\ud800", b"a\\udfffb"):
        response = client.post(
            "/api/v1/claims/match", content=b'{"text": "' + escaped + b'"}', headers=JSON
        )
        assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize(
    "target",
    [
        "/api/v1/appeals?status=%00",
        "/api/v1/appeals?department=a%01b",
        "/api/v1/appeals?topic=%FF",
        "/api/v1/audit/personal-data-reads?actor_id=%00",
        "/api/v1/claims?department=%7F",
        "/api/v1/sla/policies/a%00b",
        "/api/v1/methodologies/v1%00",
        "/api/v1/ratings?period=2026-01&methodology=v1/%C2%B2",
        "/api/v1/reports/kpi?period=2026-01&methodology=v1/%D9%A3",
    ],
)
def test_control_characters_broken_utf8_or_odd_digits_in_the_target_are_400(
    base_url: str, tokens: dict[str, str], target: str
) -> None:
    response = httpx.get(f"{base_url}{target}", headers=auth(tokens["head"]))
    assert_problem(response, 400)


def test_a_body_larger_than_the_limit_is_413_and_appends_nothing(
    base_url: str, tokens: dict[str, str], sql: Conn
) -> None:
    before = event_count(sql)
    content = b'{"kind": "message", "channel": "pos", "text": "' + b"x" * (11 << 20) + b'"}'
    response = post_raw(base_url, "/api/v1/appeals", content, auth(tokens["operator"]))
    assert_problem(response, 413)
    assert event_count(sql) == before
