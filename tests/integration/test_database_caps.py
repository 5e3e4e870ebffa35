"""A caller's cap or a request's deadline running out says nothing of the server: only silence
for a connection's own whole limit flags the database as away (which would make every request's
waits shrink to the probe)."""

from __future__ import annotations

import pytest

from infra.database import ConnectionInfo
from infra.db_waits import DatabaseUnresponsive, Outage, capped, connection_class, request_deadline


def test_a_callers_cap_running_out_does_not_say_the_database_is_away(db: ConnectionInfo) -> None:
    outage = Outage(probe=0.5)
    bounded = connection_class(300.25, outage)  # a background connection's long limit
    with (
        bounded.connect(db.conninfo, autocommit=True) as conn,
        capped(0.2),
        pytest.raises(DatabaseUnresponsive),
    ):
        conn.execute("SELECT pg_sleep(1)")  # healthy, only slower than the caller's cap
    assert not outage.away


def test_a_requests_deadline_running_out_does_not_say_the_database_is_away(
    db: ConnectionInfo,
) -> None:
    outage = Outage(probe=0.5)
    bounded = connection_class(3.25, outage, interactive=True)
    with (
        bounded.connect(db.conninfo, autocommit=True) as conn,
        request_deadline(0.2),
        pytest.raises(DatabaseUnresponsive),
    ):
        conn.execute("SELECT pg_sleep(1)")
    assert not outage.away


def test_silence_for_the_connections_whole_limit_says_it_is_away(db: ConnectionInfo) -> None:
    outage = Outage(probe=0.5)
    bounded = connection_class(0.2, outage, interactive=True)
    with bounded.connect(db.conninfo, autocommit=True) as conn, pytest.raises(DatabaseUnresponsive):
        conn.execute("SELECT pg_sleep(1)")
    assert outage.away
