"""How long anything waits on the database: the settings, the libpq parameters they become, the
client's own limits while the database answers and while it is away, the event store's calls
under them, and what the 503 tells a client to do about its command (no database needed)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Annotated
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from eventsourcing.postgres import PostgresDatastore
from litestar import Litestar, post
from litestar.params import HeaderParameter
from litestar.testing import TestClient
from psycopg import Connection
from psycopg.rows import DictRow

from api.controllers.params import IdempotencyKey
from api.errors import EXCEPTION_HANDLERS
from api.outage import OUTAGE_HANDLERS
from domain.appeals.application import AppealsApplication
from infra.database import ConnectionInfo
from infra.db_bounds import MARGIN, RecorderPool, background_limits, bound_recorder, request_limits
from infra.db_waits import Outage, allowed_wait, capped, request_deadline, until_reachable
from infra.eventstore import OtklikRecorder
from infra.settings import Settings


def test_the_database_limits_default_to_a_few_seconds_for_requests() -> None:
    settings = Settings.from_env({})
    limits = request_limits(settings)
    assert (limits.connect, limits.pool_wait, limits.statement) == (3.0, 3.0, 3.0)
    assert limits.round_trip == 3.0 + MARGIN
    assert background_limits(settings).statement == 300.0


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OTKLIK_DB_STATEMENT_TIMEOUT", "soon"),
        ("OTKLIK_DB_STATEMENT_TIMEOUT", "0"),
        ("OTKLIK_DB_POOL_TIMEOUT", "-1"),
        ("OTKLIK_DB_CONNECT_TIMEOUT", "nan"),
        ("OTKLIK_DB_BACKGROUND_STATEMENT_TIMEOUT", "inf"),
    ],
)
def test_a_database_limit_that_is_no_positive_number_of_seconds_is_refused(
    variable: str, value: str
) -> None:
    with pytest.raises(ValueError, match=variable):
        Settings.from_env({variable: value})


def test_background_statements_may_run_unlimited_when_the_setting_is_zero() -> None:
    limits = background_limits(Settings.from_env({"OTKLIK_DB_BACKGROUND_STATEMENT_TIMEOUT": "0"}))
    assert limits.statement is None and limits.round_trip is None
    assert "options" not in limits.connection_kwargs()


def test_limits_become_libpq_parameters_with_keepalives() -> None:
    settings = Settings.from_env(
        {"OTKLIK_DB_CONNECT_TIMEOUT": "1.5", "OTKLIK_DB_STATEMENT_TIMEOUT": "2.5"}
    )
    kwargs = request_limits(settings).connection_kwargs()
    assert kwargs["connect_timeout"] == 2  # whole seconds, and libpq's least
    assert kwargs["options"] == "-c statement_timeout=2500"
    assert kwargs["keepalives"] == 1 and kwargs["tcp_user_timeout"] > 0
    conninfo = request_limits(settings).session_conninfo("host=db dbname=otklik")
    assert "statement_timeout" not in conninfo and "keepalives_idle" in conninfo


def test_a_request_waits_its_own_limit_while_the_database_answers_and_the_probe_once_away() -> None:
    outage = Outage(probe=0.5)
    assert allowed_wait(3.25, outage, interactive=True) == 3.25
    outage.failed("no answer")
    assert allowed_wait(3.25, outage, interactive=True) == 0.5
    outage.answered()
    assert allowed_wait(3.25, outage, interactive=True) == 3.25


def test_background_work_keeps_its_long_limits_unless_a_request_waits_on_it() -> None:
    outage = Outage(probe=0.5)
    assert allowed_wait(300.25, outage, interactive=False) == 300.25
    with capped(3.25):
        assert allowed_wait(300.25, outage, interactive=False) == 3.25
        assert allowed_wait(None, outage, interactive=False) == 3.25
        outage.failed("no answer")
        assert allowed_wait(300.25, outage, interactive=False) == 0.5
    assert allowed_wait(300.25, outage, interactive=False) == 300.25


def test_the_pools_drop_their_idle_connections_once_when_the_database_goes_away() -> None:
    drained: list[str] = []
    outage = Outage()
    outage.on_away(lambda: drained.append("requests"))
    outage.failed("AdminShutdown")
    outage.failed("no answer")
    assert drained == ["requests"] and outage.away
    outage.answered()
    outage.failed("no answer")
    assert drained == ["requests", "requests"]


def test_background_work_started_while_the_database_is_away_is_retried_until_it_starts() -> None:
    attempts: list[int] = []

    def start() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise psycopg.OperationalError("connection refused")
        return "started"

    assert until_reachable(start, "projections.start", first=0.01) == "started"
    assert len(attempts) == 3


@pytest.fixture
def unreachable_store(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[AppealsApplication, Outage, list[int]]]:
    """The event store on a port nobody listens on, bounded as the server's is (a 1 s pool wait
    here), with a count of the connections its calls asked for."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    monkeypatch.setattr(PostgresDatastore, "register_type_adapters", lambda self: None)
    outage = Outage(probe=0.2)
    limits = request_limits(Settings.from_env({"OTKLIK_DB_POOL_TIMEOUT": "1"}), outage)
    info = ConnectionInfo("otklik", "127.0.0.1", port, "postgres", "")
    app = AppealsApplication(env=info.eventsourcing_env(2, limits), clock=lambda: datetime.now(UTC))
    bound_recorder(app.recorder, limits)
    assert isinstance(app.recorder, OtklikRecorder)
    datastore = app.recorder.datastore
    asked: list[int] = []
    connection = datastore.get_connection

    def counted() -> AbstractContextManager[Connection[DictRow]]:
        asked.append(1)
        return connection()

    monkeypatch.setattr(datastore, "get_connection", counted)
    try:
        yield app, outage, asked
    finally:
        app.close()


def test_the_event_store_makes_one_attempt_under_the_request_limits_and_the_probe_once_away(
    unreachable_store: tuple[AppealsApplication, Outage, list[int]],
) -> None:
    app, outage, asked = unreachable_store
    assert isinstance(app.recorder, OtklikRecorder)
    assert isinstance(app.recorder.datastore.pool, RecorderPool)
    calls: dict[str, Callable[[], object]] = {
        "select_events": lambda: app.events.get(uuid4()),
        "select_notifications": lambda: app.recorder.select_notifications(1, 10),
        "max_notification_id": app.recorder.max_notification_id,
        "insert_events": lambda: app.recorder.insert_events([]),
    }
    for away, most in ((False, 1.0), (True, 0.2)):
        if away:
            outage.failed("no answer")
        for name, call in calls.items():
            asked.clear()
            started = time.monotonic()
            with pytest.raises(OperationalError):
                call()
            took = time.monotonic() - started
            # the library's @retry would ask ten times, 0.2 s apart
            assert asked == [1], name
            assert most - 0.05 < took < most + 0.5, (name, away, took)


@post("/keyed", sync_to_thread=True)
def keyed_command(idempotency_key: IdempotencyKey = None) -> None:
    raise psycopg.OperationalError("server closed the connection unexpectedly")


@post("/keyed-by-name", sync_to_thread=True)
def keyed_by_name(
    key: Annotated[str | None, HeaderParameter(name="Idempotency-Key", required=False)] = None,
) -> None:
    raise psycopg.OperationalError("server closed the connection unexpectedly")


@post("/unkeyed", sync_to_thread=True)
def unkeyed_command() -> None:
    raise psycopg.OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize(
    ("path", "key", "says", "never"),
    [
        ("/keyed", "k-1", "repeat it with the same Idempotency-Key", "check its effect"),
        ("/keyed", None, "check its effect", "repeat it with the same"),
        ("/keyed-by-name", "k-1", "repeat it with the same Idempotency-Key", "check its effect"),
        ("/unkeyed", "k-1", "check its effect", "Idempotency-Key"),
        ("/unkeyed", None, "check its effect", "Idempotency-Key"),
    ],
)
def test_the_503_of_a_command_says_to_repeat_with_the_key_only_where_the_route_takes_it(
    path: str, key: str | None, says: str, never: str
) -> None:
    app = Litestar(
        route_handlers=[keyed_command, keyed_by_name, unkeyed_command],
        exception_handlers={**EXCEPTION_HANDLERS, **OUTAGE_HANDLERS},
    )
    with TestClient(app) as client:
        answer = client.post(path, headers={"Idempotency-Key": key} if key else {})
    detail = answer.json()["detail"]
    assert answer.status_code == 503 and answer.headers["retry-after"]
    assert "may or may not have been recorded" in detail
    assert says in detail and never not in detail, detail


def test_a_requests_waits_end_by_its_deadline_whatever_each_wait_may_take() -> None:
    assert allowed_wait(3.0, None, True) == 3.0  # outside a request: the own limit
    with request_deadline(0.2):
        first = allowed_wait(3.0, None, True)
        assert first is not None and 0 < first <= 0.2
        assert allowed_wait(3.0, None, True, deadline=False) == 3.0
        time.sleep(0.25)
        assert allowed_wait(3.0, None, True) == 0.0  # the time is up: no more waiting
    assert allowed_wait(None, None, False) is None
