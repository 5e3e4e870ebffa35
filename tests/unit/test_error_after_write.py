"""A failure after a commit says what was written (its position), never "nothing was changed"."""

from __future__ import annotations

import psycopg
from litestar import Litestar, post
from litestar.testing import TestClient

from api import written
from api.app import request_logging
from api.errors import EXCEPTION_HANDLERS
from api.outage import OUTAGE_HANDLERS


@post("/api/v1/after-write", sync_to_thread=True)
def fails_after_write() -> None:
    written.appended(4242)  # what the event store does once an append is committed
    raise RuntimeError("the re-timing failed")


@post("/api/v1/before-write", sync_to_thread=True)
def fails_before_write() -> None:
    raise RuntimeError("failed before anything was appended")


def _app() -> Litestar:
    return Litestar(
        route_handlers=[fails_after_write, fails_before_write],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[request_logging],
    )


def test_a_failure_after_the_commit_names_the_position_written() -> None:
    with TestClient(_app()) as client:
        answer = client.post("/api/v1/after-write")
    body = answer.json()
    assert answer.status_code == 500
    assert body["type"] == "urn:otklik:problem:internal-error-after-write"
    assert body["position"] == 4242 and "4242" in body["detail"]
    assert "nothing was changed" not in body["detail"]


def test_a_failure_before_any_write_says_nothing_was_changed_and_requests_do_not_share_it() -> None:
    with TestClient(_app()) as client:
        client.post("/api/v1/after-write")
        answer = client.post("/api/v1/before-write")
    body = answer.json()
    assert answer.status_code == 500 and body["type"] == "urn:otklik:problem:internal-error"
    assert "nothing was changed" in body["detail"] and "position" not in body


@post("/api/v1/away-after-write", sync_to_thread=True)
def away_after_write() -> None:
    written.appended(77)
    raise psycopg.OperationalError("server closed the connection unexpectedly")


def test_a_database_lost_after_the_commit_is_a_503_that_names_the_position() -> None:
    app = Litestar(
        route_handlers=[away_after_write],
        exception_handlers={**EXCEPTION_HANDLERS, **OUTAGE_HANDLERS},
        middleware=[request_logging],
    )
    with TestClient(app) as client:
        answer = client.post("/api/v1/away-after-write")
    body = answer.json()
    assert answer.status_code == 503 and answer.headers["retry-after"]
    assert body["position"] == 77 and "do not send it again" in body["detail"]
