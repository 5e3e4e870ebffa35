"""The operator's way out of a failed build (docs/recovery.md), end to end: a handler fails on one
event; the status, the failed builds (readiness) and read-your-writes say so, with the position
and no value from the event, at once; a rebuild of the same code fails at the same place and
nothing hangs; the fixed code, as a new version built beside the live one, reaches the head and
takes over, or, with the same version, resumes where it stopped — and the log is never touched."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import msgspec
import psycopg
import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from infra.container import Container
from infra.database import ConnectionInfo
from projections.engine.model import Build, ProjectionFailed, reading
from projections.engine.runner import HandlerFailed, ProjectionEngine
from tests.conftest import own_database
from tests.support.appeals import OPERATOR, receive
from tests.support.engines import Fragile, engine_for, make_appeals
from tests.support.old_log import append

pytestmark = pytest.mark.integration
PHONE = "+7 912 345-67-89"


class Brittle(Fragile):
    """Who handles each appeal. Version 1 cannot hold a department with a NUL in it (an old
    event has one) and raises, naming the value as careless code does; ``fixed`` is the
    correction of the same version, version 2 the correction that rebuilds."""

    name = "brittle"
    tables = ("brittle_assignments",)
    ddl = "CREATE TABLE {brittle_assignments} (appeal_id uuid PRIMARY KEY, department text)"

    def __init__(self, version: int = 1, *, fixed: bool = False) -> None:
        self.version = version
        self.fixed = fixed or version > 1

    def fails_on(self, event: ev.AppealAssigned) -> Exception | None:
        if "\x00" in event.department:
            return ValueError(f"cannot file {event.department!r} (call {PHONE})")
        return None


@pytest.fixture
def recovery(db_server: ConnectionInfo) -> Iterator[Container]:
    with own_database(db_server, "recovery") as (container, _info):
        yield container


def assign_poisoned(container: Container) -> int:
    """An assignment to a department with a NUL, as a log written before the input rules holds."""
    app = container.appeals
    r = app.receive(receive(), actor=OPERATOR, idempotency=None)
    app.handle(r.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
    app.handle(r.state.id, cmd.AssignAppeal(department="Управление ЖКХ"), actor=OPERATOR)
    assigned = app.events_of(r.state.id)[-1]
    poisoned = msgspec.structs.replace(
        assigned,
        originator_id=uuid.uuid4(),
        originator_version=1,
        department=f"Отдел {PHONE}\x00",
    )
    return append(container, poisoned)


def the_log(container: Container) -> tuple[Any, ...]:
    """A fingerprint of every stored event: count and digest of positions, types and bytes."""
    with psycopg.connect(container.info.conninfo) as conn:
        row = conn.execute(
            "SELECT count(*), md5(string_agg(notification_id || ':' || topic || ':' || md5(state),"
            " ',' ORDER BY notification_id)) FROM otklik_events"
        ).fetchone()
    assert row is not None
    return tuple(row)


def broken(container: Container) -> tuple[ProjectionEngine, int, int]:
    """The brittle view built and live, then stopped on the poisoned event: (engine, the
    poisoned position, the head)."""
    engine = engine_for(container, projections=[Brittle()])
    engine.catch_up_all()
    make_appeals(container.appeals, 3)
    poisoned = assign_poisoned(container)
    make_appeals(container.appeals, 2)
    with pytest.raises(HandlerFailed) as caught:
        engine.catch_up(engine.runnable())
    assert caught.value.position == poisoned
    assert PHONE not in str(caught.value) and "912" not in str(caught.value)
    return engine, poisoned, engine.head()


def test_a_failed_build_is_shown_with_its_position_and_mended_by_a_new_version_beside_it(
    recovery: Container,
) -> None:
    engine, poisoned, head = broken(recovery)
    log_before = the_log(recovery)

    # Shown: the status answers (the next event holds \u0000), with no value from the event.
    (status,) = engine.status()
    assert (status.state, status.position, status.error_position) == (
        "failed",
        poisoned - 1,
        poisoned,
    )
    assert status.lag_events == head - poisoned + 1 and status.lag_seconds >= 0
    assert status.error is not None and status.error.startswith("ValueError: cannot file")
    for value in ("912", "345", "Отдел", "\x00"):
        assert value not in status.error
    (failed,) = engine.failed()
    assert (failed.projection, failed.version, failed.active) == ("brittle", 1, True)
    assert (failed.position, failed.failed_at, failed.error) == (
        poisoned - 1,
        poisoned,
        status.error,
    )

    # Read your writes gives up at once, saying the view failed: it will not get there by waiting.
    started = time.monotonic()
    with pytest.raises(ProjectionFailed) as caught:
        engine.wait_for("brittle", head, timeout=5)
    assert time.monotonic() - started < 1
    assert (caught.value.failed_at, caught.value.reached) == (poisoned, poisoned - 1)
    assert engine.wait_for("brittle", poisoned - 1, timeout=1) == poisoned - 1  # what it holds

    # A rebuild of the same code fails at the same event, says so, and the live build serves on.
    with pytest.raises(HandlerFailed) as again:
        engine.rebuild(["brittle"], resume=False)
    assert again.value.position == poisoned and again.value.build.generation == 2
    assert engine.active("brittle") == Build("brittle", 1, 1)
    assert len(engine.failed()) == 2

    # The fix, as version 2, is built beside the live build and takes over at the head.
    fixed = engine_for(recovery, projections=[Brittle(2)])
    fixed.ensure()
    builds, progress = fixed.rebuild(["brittle"])
    assert builds == [Build("brittle", 2, 1)] and progress.activated
    assert fixed.active("brittle") == Build("brittle", 2, 1)
    assert fixed.failed() == []
    states = {(s.version, s.generation): s.state for s in fixed.status()}
    # the failed builds are retired with it: nothing is left failed
    assert states == {(1, 1): "retired", (1, 2): "retired", (2, 1): "live"}
    assert fixed.wait_for("brittle", head, timeout=1) == head
    with recovery.pool.connection() as conn:
        row = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE department LIKE 'Отдел%')"
            " FROM brittle_assignments"
        ).fetchone()
    assert row == (7, 1)  # six appeals assigned, and the copy with the NUL

    # ...and the log was never touched.
    assert the_log(recovery) == log_before


def test_a_failed_build_resumes_where_it_stopped_once_the_same_version_is_fixed(
    recovery: Container,
) -> None:
    _engine, poisoned, head = broken(recovery)
    log_before = the_log(recovery)
    fixed = engine_for(recovery, projections=[Brittle(1, fixed=True)])
    fixed.catch_up(fixed.runnable())
    (status,) = fixed.status()
    assert (status.generation, status.position, status.error, status.state) == (
        1,
        head,
        None,
        "live",
    )
    assert fixed.failed() == [] and fixed.wait_for("brittle", head, timeout=1) == head
    assert the_log(recovery) == log_before and poisoned < head


def test_a_view_whose_first_build_failed_says_so_instead_of_being_built(
    recovery: Container,
) -> None:
    make_appeals(recovery.appeals, 1)
    poisoned = assign_poisoned(recovery)
    engine = engine_for(recovery, projections=[Brittle()])
    with pytest.raises(HandlerFailed):
        engine.catch_up_all()
    assert engine.active("brittle") is None
    with (
        pytest.raises(ProjectionFailed) as caught,
        reading(recovery.pool, "brittle") as conn,
    ):
        conn.execute("SELECT count(*) FROM brittle_assignments")
    assert (caught.value.failed_at, caught.value.reached) == (poisoned, poisoned - 1)
    with pytest.raises(ProjectionFailed):
        engine.wait_for("brittle", poisoned, timeout=5)
