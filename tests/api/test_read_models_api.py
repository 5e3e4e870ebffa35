"""Read models through the API: read-your-writes, and zero downtime while a worker in another
process rebuilds the appeals view and switches reads to the new build."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Any

import httpx
import pytest

from infra.database import ConnectionInfo
from tests.api.test_appeals_api import NEW_MESSAGE, act, assert_problem, wait_for_view

pytestmark = pytest.mark.integration


def test_a_query_waits_for_the_commands_position(client: httpx.Client) -> None:
    created = client.post("/api/v1/appeals", json=NEW_MESSAGE)
    position = int(created.headers["x-otklik-position"])
    appeal_id = created.json()["id"]
    response = client.get(f"/api/v1/appeals/{appeal_id}", params={"min_position": position})
    assert response.status_code == 200 and response.json()["id"] == appeal_id
    listed = client.get("/api/v1/appeals", params={"min_position": position, "limit": 5})
    assert listed.json()["position"] >= position


def test_a_position_beyond_the_head_of_the_log_is_400_not_a_503_to_retry_forever(
    client: httpx.Client,
) -> None:
    # (it was a 5 s wait and a 503 "retry shortly" that no retry could ever satisfy)
    response = client.get("/api/v1/appeals", params={"min_position": 10**12})
    assert_problem(response, 400, "invalid-min-position")
    assert "retry-after" not in response.headers
    assert_problem(client.get("/api/v1/appeals", params={"min_position": 0}), 400)


def active_generation(client: httpx.Client) -> int:
    statuses = client.get("/api/v1/projections").json()
    return int(next(s["generation"] for s in statuses if s["name"] == "appeals" and s["active"]))


def test_the_view_keeps_answering_while_a_new_build_takes_over(
    client: httpx.Client, db: ConnectionInfo, base_url: str, tokens: dict[str, str]
) -> None:
    department = "nepreryvnost"  # «Отдел проверки непрерывности»
    position = 0
    for _ in range(40):
        appeal_id = client.post("/api/v1/appeals", json=NEW_MESSAGE).json()["id"]
        act(client, appeal_id, "register")
        position = int(
            act(client, appeal_id, "assign", {"department": department}).headers[
                "x-otklik-position"
            ]
        )
    wait_for_view(client, position)
    before = active_generation(client)
    answers: list[tuple[int, int]] = []
    stop = threading.Event()

    def read() -> None:
        with httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {tokens['curator']}"}
        ) as reader:
            while not stop.is_set():
                response = reader.get(
                    "/api/v1/appeals", params={"department": department, "limit": 100}
                )
                body: dict[str, Any] = response.json()
                answers.append((response.status_code, len(body.get("items", []))))

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    try:
        env = {**os.environ, "DATABASE_URL": db.url(), "OTKLIK_LOG_LEVEL": "warning"}
        rebuilt = subprocess.run(
            [sys.executable, "-m", "infra.cli", "projections", "rebuild", "appeals", "--fresh"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "reads switched to the new build" in rebuilt.stdout
    assert active_generation(client) > before
    assert len(answers) > 10
    assert {status for status, _ in answers} == {200}
    assert {count for _, count in answers} == {40}  # never empty, never half-built
