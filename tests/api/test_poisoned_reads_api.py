"""Reads of views built from a poisoned log, through HTTP: appeals whose business times lie at the
ends of the calendar (year 1 at +14:00, 9999 at -12:00, as a log written before the input domain
refused them may hold) sort first in the lists, and every list, its next pages and the reports
answer 200; a cursor the API did not write (a NUL hidden in its base64, another spelling of the
same fields, a deadline that is none) is a 400 that does not repeat it.

The poisoned log on a database and a server of their own (its rows must not meet the other
tests' figures); the cursors on the shared server."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest

from domain.shared.actors import Role
from infra.container import Container
from infra.database import ConnectionInfo
from infra.server_process import server_process
from tests.api.test_appeals_api import assert_problem
from tests.conftest import own_database
from tests.support.appeals import ASSIGN, OPERATOR, REGISTER, Scenario, answered, receive
from tests.support.old_log import FIRST_MOMENT, LAST_MOMENT, append, copied

pytestmark = pytest.mark.integration
LISTS = ("/api/v1/sla/overdue", "/api/v1/sla/at-risk", "/api/v1/appeals")
NUL_IN_DEADLINE = (  # 2026-01-01T00:00:00+00:00|c0b9eb03-…-2651a519c07f|a\x00b
    "MjAyNi0wMS0wMVQwMDowMDowMCswMDowMHxjMGI5ZWIwMy0zNWNjLTRlYTItOThkNi0yNjUxYTUxOWMwN2Z8YQBi"
)


@pytest.fixture(scope="module")
def poisoned(db_server: ConnectionInfo) -> Iterator[tuple[str, dict[str, str]]]:
    """(base URL, a token per role) of a server over views built from a poisoned log."""
    with own_database(db_server, "poisonedreads") as (container, info):
        done = answered().events
        start = datetime.now(UTC) - timedelta(hours=1)
        open_ = Scenario(start=start).given(receive(), REGISTER, ASSIGN).events
        for moment in (FIRST_MOMENT, LAST_MOMENT):
            append(container, *copied(done, moment))
            append(container, *copied(open_, moment))
            append(container, *copied(open_, moment, first=2, dues=False))
        container.engine.catch_up_all()
        assert container.engine.failed() == []
        tokens = {
            role.value: container.tokens.create(role=role, name=role.value)[0]
            for role in (Role.OPERATOR, Role.ANALYST)
        }
        env = {"OTKLIK_LOG_LEVEL": "warning", "OTKLIK_POOL_SIZE": "2"}
        with server_process(info, env=env) as url:
            yield url, tokens


def every_page(client: httpx.Client, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        response = client.get(path, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if page["next_cursor"] is None:
            return items
        params["cursor"] = page["next_cursor"]


def test_the_lists_and_reports_answer_when_the_first_rows_lie_at_the_ends_of_the_calendar(
    poisoned: tuple[str, dict[str, str]],
) -> None:
    url, tokens = poisoned
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {tokens['operator']}"}) as c:
        overdue = every_page(c, "/api/v1/sla/overdue")
        assert overdue[0]["due"].startswith("0001-01-0")  # year 0 in UTC, kept at its edge
        assert any(i["started_at"].startswith("0001-01-0") for i in every_page(c, LISTS[1]))
        listed = every_page(c, "/api/v1/appeals")
        assert len(listed) == 6 and listed[0]["received_at"].startswith("9999-12-3")
    reports = {
        "/api/v1/reports/kpi": {"period": "2026-03"},
        "/api/v1/reports/summary": {"since": "2000-01-01", "until": "2099-12-31", "by": "month"},
        "/api/v1/reports/hot-topics": {},
        "/api/v1/reports/workload": {},
    }
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {tokens['analyst']}"}) as c:
        for path, params in reports.items():
            for fmt in ("json", "xlsx"):
                response = c.get(path, params={**params, "format": fmt})
                assert response.status_code == 200, (path, fmt, response.text)


def cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def test_a_cursor_the_api_did_not_write_is_a_400_that_does_not_repeat_it(
    client: httpx.Client, container: Container
) -> None:
    appeal = str(uuid4())
    when = "2026-01-01T00:00:00+00:00"
    sla = [
        NUL_IN_DEADLINE,
        cursor(f"{when}|{appeal}|answer\x00"),
        cursor(f"{when}|{appeal}|nonsense"),
        cursor(f"{when}|{appeal}|answer|extra"),
        cursor(f"2026-01-01 00:00:00+00:00|{appeal}|answer"),  # another spelling
        cursor(f"2026-01-01T00:00:00|{appeal}|answer"),  # no offset
        cursor(f"0001-01-01T00:00:00+14:00|{appeal}|answer"),  # year 0 in UTC
        cursor(f"{when}|{appeal.upper()}|answer"),
        cursor(f"{when}|{{{appeal}}}|answer"),
        NUL_IN_DEADLINE + "==",  # padding is not ours
        NUL_IN_DEADLINE[:-1] + "!",
        "A" * 5000,
    ]
    appeals = [
        cursor(f"{when}|{appeal}\x00"),
        cursor(f"{when}\x00|{appeal}"),
        cursor(f"{when}|{appeal}|answer"),
        cursor(f"9999-12-31T23:59:00-12:00|{appeal}"),  # year 10000 in UTC
        cursor(f"{when}|{appeal.replace('-', '')}"),
    ]
    for path, bad in [(p, c) for p in LISTS[:2] for c in sla] + [(LISTS[2], c) for c in appeals]:
        response = client.get(path, params={"cursor": bad})
        problem = assert_problem(response, 400, "invalid-cursor")
        assert bad[:40] not in response.text and appeal not in response.text, problem
    # what the API did write is taken (once the views hold the shared log's latest event)
    head = container.appeals.receive(receive(), actor=OPERATOR, idempotency=None).position
    for path, good in ((LISTS[1], f"{when}|{appeal}|answer"), (LISTS[2], f"{when}|{appeal}")):
        response = client.get(path, params={"cursor": cursor(good), "min_position": head})
        assert response.status_code == 200, response.text
