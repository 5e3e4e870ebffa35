"""Accounts and tokens through the real server: a token's secret is shown once; a revocation, a
disabled account and an expiry are refused on the very next request; an account manages its own
tokens only."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from domain.access.service import AccessService
from domain.shared.actors import Role
from infra.calendar_clock import utc_now
from infra.container import Container
from infra.tokens import CLI_ACTOR
from tests.api.test_appeals_api import assert_problem, auth

pytestmark = pytest.mark.integration
OWN_TOKENS = "/api/v1/tokens"  # any authenticated request that answers 200 with a live token


@pytest.fixture(scope="module")
def admin(container: Container) -> str:
    token, _ = container.tokens.create(role=Role.ADMINISTRATOR, name="Администратор доступа")
    return token


@pytest.fixture
def http(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as c:
        yield c


def open_account(http: httpx.Client, admin: str, **fields: Any) -> dict[str, Any]:
    body = {
        "account_id": f"t.{uuid.uuid4().hex[:10]}",
        "person_id": "p-0012",
        "name": "Анна Петрова",
        "roles": ["operator"],
        **fields,
    }
    answer = http.post("/api/v1/accounts", json=body, headers=auth(admin))
    assert answer.status_code == 201, answer.text
    assert answer.headers["etag"] == '"1"'
    account: dict[str, Any] = answer.json()
    return account


def issue(http: httpx.Client, token: str, account_id: str, **fields: Any) -> dict[str, Any]:
    body = {"name": "ноутбук", "role": "operator", **fields}
    answer = http.post(f"/api/v1/accounts/{account_id}/tokens", json=body, headers=auth(token))
    assert answer.status_code == 201, answer.text
    assert answer.headers["cache-control"] == "no-store"
    issued: dict[str, Any] = answer.json()
    return issued


def test_a_tokens_secret_is_shown_once_and_lists_show_its_id_and_times_only(
    http: httpx.Client, admin: str
) -> None:
    account = open_account(http, admin)
    issued = issue(http, admin, account["id"], expires_in_seconds=3600)
    assert issued["secret"].startswith("otk_") and issued["account_id"] == account["id"]
    created = datetime.fromisoformat(issued["created_at"])
    assert datetime.fromisoformat(issued["expires_at"]) - created == timedelta(hours=1)
    mine = http.get(OWN_TOKENS, headers=auth(issued["secret"]))
    assert mine.status_code == 200
    [listed] = mine.json()
    assert set(listed) == {
        "id", "account_id", "name", "role", "created_at", "expires_at", "last_used_at",
        "revoked_at",
    }  # fmt: skip
    assert listed["id"] == issued["id"] and issued["secret"] not in mine.text
    seen = http.get(OWN_TOKENS, params={"account": account["id"]}, headers=auth(admin))
    assert seen.json()[0]["last_used_at"] is not None  # the request above used it


def test_a_token_without_an_expiry_gets_the_default_of_ninety_days(
    http: httpx.Client, admin: str
) -> None:
    account = open_account(http, admin)
    issued = issue(http, admin, account["id"])
    lifetime = datetime.fromisoformat(issued["expires_at"]) - datetime.fromisoformat(
        issued["created_at"]
    )
    assert lifetime == timedelta(days=90)


def test_a_revoked_token_is_refused_on_the_next_request(http: httpx.Client, admin: str) -> None:
    account = open_account(http, admin)
    issued = issue(http, admin, account["id"])
    own = auth(issued["secret"])
    assert http.get(OWN_TOKENS, headers=own).status_code == 200
    revoked = http.post(f"/api/v1/tokens/{issued['id']}/revoke", headers=own)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert_problem(http.get(OWN_TOKENS, headers=own), 401)
    again = http.post(f"/api/v1/tokens/{issued['id']}/revoke", headers=auth(admin))
    assert_problem(again, 409, "rule-violated")


def test_disabling_an_account_refuses_all_its_tokens_on_the_next_request_for_good(
    http: httpx.Client, admin: str
) -> None:
    account = open_account(http, admin)
    secrets = [issue(http, admin, account["id"], name=f"t{n}")["secret"] for n in range(2)]
    for secret in secrets:
        assert http.get(OWN_TOKENS, headers=auth(secret)).status_code == 200
    path = f"/api/v1/accounts/{account['id']}"
    stale = http.post(f"{path}/disable", json={"reason": "увольнение"}, headers={
        **auth(admin), "If-Match": '"7"'})  # fmt: skip
    assert_problem(stale, 412, "version-mismatch")
    etag = http.get(path, headers=auth(admin)).headers["etag"]
    disabled = http.post(
        f"{path}/disable", json={"reason": "увольнение"}, headers={**auth(admin), "If-Match": etag}
    )
    assert disabled.status_code == 200 and disabled.json()["disabled_at"] is not None
    for secret in secrets:
        assert_problem(http.get(OWN_TOKENS, headers=auth(secret)), 401)
    enabled = http.post(f"{path}/enable", headers=auth(admin))
    assert enabled.status_code == 200 and enabled.json()["disabled_at"] is None
    for secret in secrets:  # enabling brings no token back
        assert_problem(http.get(OWN_TOKENS, headers=auth(secret)), 401)


def test_an_expired_token_is_refused_on_the_next_request(
    http: httpx.Client, admin: str, container: Container
) -> None:
    """The server runs on the real clock; the token is issued (through the same handler, on the
    same log) by a service whose clock runs behind, so that its shortest lifetime, a minute, ends
    a few seconds from now: one request before, one after (the wait is that of the expiry)."""
    account = open_account(http, admin)
    behind = AccessService(container.appeals, lambda: utc_now() - timedelta(seconds=57))
    issued = behind.issue(
        account["id"], name="короткий", role=Role.OPERATOR, actor=CLI_ACTOR, lifetime_seconds=60
    )
    own = auth(issued.secret)
    assert http.get(OWN_TOKENS, headers=own).status_code == 200
    time.sleep(max(0.0, (issued.token.expires_at - utc_now()).total_seconds()) + 0.2)
    assert_problem(http.get(OWN_TOKENS, headers=own), 401)


def test_a_rotated_token_is_refused_and_its_successor_keeps_its_name_role_and_lifetime(
    http: httpx.Client, admin: str
) -> None:
    account = open_account(http, admin)
    old = issue(http, admin, account["id"], expires_in_seconds=7200)
    rotated = http.post(f"/api/v1/tokens/{old['id']}/rotate", headers=auth(old["secret"]))
    assert rotated.status_code == 201, rotated.text
    new = rotated.json()
    assert (new["name"], new["role"]) == (old["name"], old["role"]) and new["id"] != old["id"]
    lifetime = datetime.fromisoformat(new["expires_at"]) - datetime.fromisoformat(new["created_at"])
    assert lifetime == timedelta(hours=2)
    assert_problem(http.get(OWN_TOKENS, headers=auth(old["secret"])), 401)
    assert http.get(OWN_TOKENS, headers=auth(new["secret"])).status_code == 200


def test_an_account_manages_its_own_tokens_and_nobody_elses(http: httpx.Client, admin: str) -> None:
    mine = open_account(http, admin)
    theirs = open_account(http, admin)
    own = auth(issue(http, admin, mine["id"])["secret"])
    other = issue(http, admin, theirs["id"])
    assert issue(http, own["Authorization"][7:], mine["id"])["account_id"] == mine["id"]
    refused = http.post(
        f"/api/v1/accounts/{theirs['id']}/tokens",
        json={"name": "x", "role": "operator"},
        headers=own,
    )
    assert_problem(refused, 403, "forbidden")
    assert_problem(http.get(OWN_TOKENS, params={"account": theirs["id"]}, headers=own), 403)
    assert_problem(http.post(f"/api/v1/tokens/{other['id']}/revoke", headers=own), 404)
    assert http.get(OWN_TOKENS, headers=auth(other["secret"])).status_code == 200


def test_a_tokens_role_must_be_one_of_the_accounts_roles(http: httpx.Client, admin: str) -> None:
    account = open_account(http, admin)
    body = {"name": "x", "role": "head"}
    answer = http.post(f"/api/v1/accounts/{account['id']}/tokens", json=body, headers=auth(admin))
    assert "one of the account's roles" in assert_problem(answer, 422, "invalid-command")["detail"]


def test_withdrawing_a_role_refuses_the_tokens_acting_with_it(
    http: httpx.Client, admin: str
) -> None:
    account = open_account(http, admin, roles=["operator", "analyst"])
    operator = issue(http, admin, account["id"])["secret"]
    analyst = issue(http, admin, account["id"], role="analyst")["secret"]
    changed = http.post(
        f"/api/v1/accounts/{account['id']}/roles", json={"roles": ["analyst"]}, headers=auth(admin)
    )
    assert changed.status_code == 200 and changed.json()["roles"] == ["analyst"]
    assert_problem(http.get(OWN_TOKENS, headers=auth(operator)), 401)
    assert http.get(OWN_TOKENS, headers=auth(analyst)).status_code == 200


def test_an_account_is_listed_and_read_by_the_auditor(
    http: httpx.Client, admin: str, tokens: dict[str, str]
) -> None:
    account = open_account(http, admin, roles=["executor"], unit_id="ugkh")
    listed = http.get("/api/v1/accounts", headers=auth(tokens["auditor"]))
    assert account in listed.json()
    read = http.get(f"/api/v1/accounts/{account['id']}", headers=auth(tokens["auditor"]))
    assert read.json() == account and read.headers["etag"] == '"1"'
    missing = http.get("/api/v1/accounts/nobody", headers=auth(tokens["auditor"]))
    assert_problem(missing, 404, "not-found")
    again = {"account_id": account["id"], "name": "Другой", "roles": ["operator"]}
    taken = http.post("/api/v1/accounts", json=again, headers=auth(admin))
    assert_problem(taken, 409, "rule-violated")
