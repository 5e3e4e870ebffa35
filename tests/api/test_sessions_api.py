"""The МЦУ's sessions over HTTP: the rules refused as RFC 9457 problems (a non-member's vote, a
second vote, a signature by anyone but the chair and the secretary), roles first, If-Match, the
session's history and execution report, a task reported by its unit's executor."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.test_appeals_api import assert_problem, auth
from tests.api.test_claims_api import eventually

AGENDA = [{"title": "Вывоз снега", "proposal": "Поручить управлению ЖКХ устранить причины"}]


def _session(client: httpx.Client) -> str:
    composition = {
        "effective": "2020-01-01",
        "head": "curator",
        "deputy_head": "deputy",
        "secretary": "belova",
        "protocol": "Протокол № 1 от 10.01.2020",
    }
    assert client.post("/api/v1/sessions/composition", json=composition).status_code == 201
    made = client.post(
        "/api/v1/sessions", json={"held_on": "2025-03-03", "format": "remote", "agenda": AGENDA}
    )
    assert made.status_code == 201, made.text
    assert made.headers["Location"].endswith(made.json()["id"]) and made.headers["ETag"]
    return str(made.json()["id"])


def _ready(response: httpx.Response) -> httpx.Response | None:
    return response if response.status_code == 200 and response.json()["tasks"] else None


def _audited(client: httpx.Client, path: str, tokens: dict[str, str]) -> httpx.Response | None:
    """The stream's audit once the ledger has every event's digest."""
    response = client.get(path, headers=auth(tokens["auditor"]))
    assert response.status_code == 200, response.text
    return response if all(e["digest"] for e in response.json()["events"]) else None


def _act(client: httpx.Client, sid: str, action: str, body: dict[str, Any]) -> httpx.Response:
    return client.post(f"/api/v1/sessions/{sid}/{action}", json=body)


def test_a_session_over_http_refuses_each_broken_rule_with_a_problem(
    client: httpx.Client, tokens: dict[str, str]
) -> None:
    sid = _session(client)
    # roles first: an auditor reads but may not act
    refused = client.post(
        f"/api/v1/sessions/{sid}/attendance",
        json={"taking_part": ["curator"]},
        headers=auth(tokens["auditor"]),
    )
    assert_problem(refused, 403)
    present = _act(client, sid, "attendance", {"taking_part": ["curator", "belova"]})
    assert present.status_code == 200 and present.json()["chair"] == "curator"
    assert_problem(
        _act(client, sid, "vote", {"item": 1, "member": "deputy", "choice": "for"}),
        409,
        "not-a-member",
    )
    assert_problem(
        _act(client, sid, "vote", {"item": 1, "member": "someone", "choice": "for"}),
        409,
        "not-a-member",
    )
    assert (
        _act(client, sid, "vote", {"item": 1, "member": "curator", "choice": "for"}).status_code
        == 200
    )
    assert_problem(
        _act(client, sid, "vote", {"item": 1, "member": "curator", "choice": "against"}),
        409,
        "already-voted",
    )
    assert (
        _act(client, sid, "vote", {"item": 1, "member": "belova", "choice": "against"}).status_code
        == 200
    )
    closed = _act(client, sid, "close-voting", {"item": 1})
    assert (
        closed.json()["outcomes"][0]["adopted"] and closed.json()["outcomes"][0]["by_chairs_vote"]
    )
    stale = client.post(
        f"/api/v1/sessions/{sid}/draft-protocol",
        json={"number": "3", "text": "Решили"},
        headers={"If-Match": '"1"'},
    )
    assert_problem(stale, 412)
    assert _act(client, sid, "draft-protocol", {"number": "3", "text": "Решили"}).status_code == 200
    assert_problem(_act(client, sid, "sign-protocol", {"signer": "deputy"}), 409, "not-a-signatory")
    assert _act(client, sid, "sign-protocol", {"signer": "curator"}).status_code == 200
    assert _act(client, sid, "sign-protocol", {"signer": "belova"}).status_code == 200
    published = _act(client, sid, "publish-protocol", {"where": "https://ishim.example/mcu/3"})
    assert published.json()["stage"] == "published"
    history = client.get(f"/api/v1/sessions/{sid}/history", headers=auth(tokens["auditor"]))
    types = [e["type"] for e in history.json()]
    assert types[0] == "SessionScheduled" and types[-1] == "ProtocolPublished"
    assert types.count("ProtocolSigned") == 2 and types.count("VoteCast") == 2
    # a task of the decision, reported by the unit's executor, another unit's refused
    task = client.post(
        "/api/v1/tasks",
        json={
            "session_id": sid,
            "item": 1,
            "text": "Вывезти снег",
            "unit_id": "ugkh",
            "within_working_days": 2,
        },
    )
    assert task.status_code == 201, task.text
    tid = task.json()["id"]
    other = client.post(
        f"/api/v1/tasks/{tid}/report", json={"report": "…"}, headers=auth(tokens["other_executor"])
    )
    assert_problem(other, 403)
    mine = client.post(
        f"/api/v1/tasks/{tid}/report", json={"report": "Вывезено"}, headers=auth(tokens["executor"])
    )
    assert mine.status_code == 200 and mine.json()["status"] == "reported"
    # the view follows the log (a 503 with Retry-After until its build has caught up)
    report = eventually(lambda: _ready(client.get(f"/api/v1/sessions/{sid}/report")), 30)
    assert report.json()["tasks"] == 1 and report.json()["open"] == 1
    # the audit route: the session's and the task's streams, each step with its change and the
    # audit ledger's digest of the stored event (once the ledger has recorded it)
    assert_problem(client.get(f"/api/v1/audit/sessions/{sid}"), 403)  # an operator
    audited = eventually(lambda: _audited(client, f"/api/v1/audit/sessions/{sid}", tokens), 30)
    assert audited is not None, "the ledger never recorded the session's events"
    body = audited.json()
    assert [e["type"] for e in body["events"]] == types and body["kind"] == "session"
    assert [e["version"] for e in body["events"]] == list(range(1, len(types) + 1))
    positions = [e["position"] for e in body["events"]]
    assert positions == sorted(positions) and body["ledger_position"] >= positions[-1]
    assert all(len(e["digest"]) == 64 for e in body["events"]) and body["tasks"] == [tid]
    published_step = body["events"][-1]["changes"]
    assert {"field": "stage", "before": "signed", "after": "published"} in published_step
    task_audit = eventually(lambda: _audited(client, f"/api/v1/audit/tasks/{tid}", tokens), 30)
    assert [e["type"] for e in task_audit.json()["events"]] == ["TaskSet", "TaskReported"]
    missing = "/api/v1/audit/tasks/00000000-0000-4000-8000-000000000000"
    assert_problem(client.get(missing, headers=auth(tokens["auditor"])), 404)
    assert_problem(client.get("/api/v1/sessions/00000000-0000-4000-8000-000000000000"), 404)
