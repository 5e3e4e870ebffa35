"""The rubricator through HTTP: read by anyone, changed by an administrator in versions under
If-Match; a change that breaks a rule (an unknown parent, a reused code) is a 422 naming it.
The codes are municipal ones of this run's own (M.<random>): the server's database is shared."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.api.test_appeals_api import assert_problem, auth

pytestmark = pytest.mark.integration


@pytest.fixture
def admin(tokens: dict[str, str]) -> dict[str, str]:
    return auth(tokens["administrator"])


def code() -> str:
    return f"M.{secrets.randbelow(10**6):06d}"


def latest(base_url: str) -> date:
    """The date the latest version took effect (today when none did): a version takes effect
    no earlier than the one before it."""
    version = httpx.get(f"{base_url}/api/v1/rubricator", timeout=30).json()["version"]
    return max(date.today(), date.fromisoformat(version["effective_from"]) if version else date.min)


def publish(
    base_url: str, headers: dict[str, str], *changes: dict[str, Any], on: date | None = None
) -> httpx.Response:
    current = httpx.get(f"{base_url}/api/v1/rubricator", timeout=30)
    since = (on or latest(base_url)).isoformat()
    body = {"label": "Проверка рубрикатора", "effective_from": since, "changes": list(changes)}
    return httpx.post(
        f"{base_url}/api/v1/rubricator/changes",
        json=body,
        headers={**headers, "If-Match": current.headers["ETag"]},
        timeout=30,
    )


def test_the_rubricator_is_read_without_a_token_with_its_version(base_url: str) -> None:
    answer = httpx.get(f"{base_url}/api/v1/rubricator", timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["ETag"].strip('"').isdigit()
    assert {"version", "as_of", "entries"} <= answer.json().keys()


def test_an_administrator_publishes_changes_as_one_version(
    base_url: str, admin: dict[str, str]
) -> None:
    section, theme = code(), code()
    answer = publish(
        base_url,
        admin,
        {"op": "add", "code": section, "name": "Раздел проверки", "level": "section",
         "source": "municipal"},
        {"op": "add", "code": theme, "name": "Ямы во дворе", "level": "theme",
         "parent": section, "source": "municipal"},
        {"op": "route", "code": section, "unit_id": "udh"},
        {"op": "route", "code": theme, "unit_id": "ublag", "municipality": "north"},
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    assert answer.json()["changes"] == 4
    assert answer.headers["ETag"] == f'"{answer.json()["number"]}"'
    entry = httpx.get(f"{base_url}/api/v1/rubricator/{theme}", timeout=30).json()
    assert entry["name"] == "Ямы во дворе" and entry["parent"] == section
    assert entry["routed_to"] == "udh"  # the general rule: the section's
    assert entry["routes"] == [{"unit_id": "ublag", "municipality": "north"}]
    parent = httpx.get(f"{base_url}/api/v1/rubricator/{section}", timeout=30).json()
    assert parent["children"] == [theme]
    day_before = (latest(base_url) - timedelta(days=1)).isoformat()
    before = httpx.get(f"{base_url}/api/v1/rubricator/{theme}?as_of={day_before}", timeout=30)
    assert_problem(before, 404, "not-found")


def test_a_rename_is_seen_from_its_date_and_the_former_name_kept(
    base_url: str, admin: dict[str, str]
) -> None:
    section = code()
    added = {"op": "add", "code": section, "name": "Старое имя", "level": "section",
             "source": "municipal"}  # fmt: skip
    assert publish(base_url, admin, added).status_code == 201
    added_on = latest(base_url)
    renamed = {"op": "rename", "code": section, "name": "Новое имя"}
    assert publish(base_url, admin, renamed, on=added_on + timedelta(days=2)).status_code == 201
    now = httpx.get(f"{base_url}/api/v1/rubricator/{section}", timeout=30).json()
    assert now["name"] == "Новое имя" and now["former_names"] == ["Старое имя"]
    between = (added_on + timedelta(days=1)).isoformat()
    then = httpx.get(f"{base_url}/api/v1/rubricator?as_of={between}", timeout=30).json()
    assert {"code": section, "name": "Старое имя"}.items() <= next(
        e for e in then["entries"] if e["code"] == section
    ).items()


def test_an_unknown_parent_is_a_422_naming_the_change(base_url: str, admin: dict[str, str]) -> None:
    orphan = {"op": "add", "code": code(), "name": "Сирота", "level": "theme",
              "parent": "M.999999", "source": "municipal"}  # fmt: skip
    refused = publish(base_url, admin, orphan)
    detail = assert_problem(refused, 422, "invalid-command")["detail"]
    assert detail == "change 1: the parent M.999999 is not in the rubricator"


def test_a_code_once_used_is_a_422_even_retired(base_url: str, admin: dict[str, str]) -> None:
    section = code()
    added = {"op": "add", "code": section, "name": "Временный раздел", "level": "section",
             "source": "municipal"}  # fmt: skip
    assert publish(base_url, admin, added).status_code == 201
    assert publish(base_url, admin, {"op": "retire", "code": section}).status_code == 201
    again = publish(base_url, admin, {**added, "name": "Снова"})
    detail = assert_problem(again, 422, "invalid-command")["detail"]
    assert "codes are never reused" in detail


def test_only_an_administrator_changes_it_and_on_the_version_read(
    base_url: str, admin: dict[str, str], tokens: dict[str, str]
) -> None:
    change = {"op": "add", "code": code(), "name": "Чужой", "level": "section",
              "source": "municipal"}  # fmt: skip
    assert_problem(publish(base_url, auth(tokens["head"]), change), 403, "forbidden")
    stale = httpx.post(
        f"{base_url}/api/v1/rubricator/changes",
        json={"label": "Устаревшая", "effective_from": "2100-01-01", "changes": [change]},
        headers={**admin, "If-Match": '"999999"'},
        timeout=30,
    )
    assert stale.status_code == 412, stale.text
