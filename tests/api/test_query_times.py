"""A time in a query lies in the input domain's years, as one in a body does: the query parser
reads a number as a Unix time, so ``since=0`` was the start of 1970 and answered 200 (a finding
of the schema-driven fuzzing); now it is a 400 that names the parameter."""

from __future__ import annotations

import httpx
import pytest

from tests.api.test_appeals_api import assert_problem, auth

pytestmark = pytest.mark.integration

ROUTES = [  # (role, path, the time parameter)
    ("operator", "/api/v1/appeals", "received_from"),
    ("operator", "/api/v1/appeals", "received_to"),
    ("operator", "/api/v1/claims", "before"),
    ("head", "/api/v1/misinformation/summary", "since"),
    ("head", "/api/v1/misinformation/summary", "until"),
    ("auditor", "/api/v1/audit/personal-data-reads", "since"),
    ("auditor", "/api/v1/audit/personal-data-reads", "until"),
]


@pytest.mark.parametrize(("role", "path", "name"), ROUTES)
@pytest.mark.parametrize("value", ["0", "0.0", "1899-12-31T00:00:00Z", "2101-01-01T00:00:00Z"])
def test_a_query_time_outside_the_domain_is_a_400_naming_it(
    client: httpx.Client, tokens: dict[str, str], role: str, path: str, name: str, value: str
) -> None:
    answer = client.get(path, params={name: value}, headers=auth(tokens[role]))
    assert_problem(answer, 400)
    assert name in answer.json()["detail"]


@pytest.mark.parametrize(("role", "path", "name"), ROUTES)
def test_an_iso_time_inside_it_is_answered(
    client: httpx.Client, tokens: dict[str, str], role: str, path: str, name: str
) -> None:
    answer = client.get(
        path, params={name: "2026-01-01T00:00:00+03:00"}, headers=auth(tokens[role])
    )
    assert answer.status_code == 200, answer.text
