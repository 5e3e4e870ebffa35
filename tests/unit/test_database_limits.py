"""How long anything waits on the database: the settings, the libpq parameters they become, and
the client's own limits while the database answers and while it is away (no database needed)."""

from __future__ import annotations

import psycopg
import pytest

from infra.db_bounds import MARGIN, background_limits, request_limits
from infra.db_waits import Outage, allowed_wait, capped, until_reachable
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
