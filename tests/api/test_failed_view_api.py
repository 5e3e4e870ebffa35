"""A view whose build failed on an event, through HTTP: the status route and readiness keep
answering and name the build, its position and the error's class (readiness: 200 "degraded",
not a 503 that would take every instance out of the balancer); a read with min_position says
at once that the view failed instead of "retry" forever; a rebuild beside it mends it all.

A server of its own on a database of its own (the failure must not meet the other tests), with
no projections in process: the test runs the builds itself, with a handler that fails."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import msgspec
import pytest

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.shared.actors import Role
from infra.container import Container
from infra.database import ConnectionInfo
from infra.event_codec import codec_decoder
from infra.server_process import server_process
from projections.appeals import AppealsProjection
from projections.engine.model import Batch
from projections.engine.runner import HandlerFailed, ProjectionEngine
from tests.api.test_appeals_api import assert_problem
from tests.conftest import own_database
from tests.support.appeals import OPERATOR, receive
from tests.support.old_log import append, decided

pytestmark = pytest.mark.integration
PHONE = "+7 912 345-67-89"


class BrittleAppeals(AppealsProjection):
    """The appeal list as a version of its code that cannot hold a topic with a NUL."""

    def apply(self, batch: Batch) -> None:
        for item in batch.events:
            event = item.event
            if isinstance(event, ev.AppealCategorised) and "\x00" in event.topic:
                raise ValueError(f"cannot list {event.topic!r}")
        super().apply(batch)


@pytest.fixture(scope="module")
def failing(db_server: ConnectionInfo) -> Iterator[tuple[Container, str, str]]:
    """(container, base URL, an operator's token)."""
    with own_database(db_server, "failedview") as (container, info):
        token, _ = container.tokens.create(role=Role.OPERATOR, name="Оператор")
        env = {
            "OTKLIK_PROJECTIONS_IN_PROCESS": "false",
            "OTKLIK_LOG_LEVEL": "warning",
            "OTKLIK_POOL_SIZE": "2",
        }
        with server_process(info, env=env) as url:
            yield container, url, token


def poison(container: Container) -> int:
    """An appeal categorised under a topic with a NUL (and a phone number), as an older log
    holds it; its position."""
    app = container.appeals
    r = app.receive(receive(), actor=OPERATOR, idempotency=None)
    app.handle(r.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
    categorised = decided(container, r.state.id, cmd.CategoriseAppeal(topic="ЖКХ", essence="e"))
    return append(container, msgspec.structs.replace(categorised, topic=f"t\x00{PHONE}"))


def test_a_failed_view_is_reported_by_the_routes_and_mended_by_a_rebuild_beside_it(
    failing: tuple[Container, str, str],
) -> None:
    container, url, token = failing
    brittle = ProjectionEngine(
        pool=container.engine.pool,
        conninfo=container.engine.conninfo,
        projections=[BrittleAppeals()],
        decode=codec_decoder(container.keyring),
    )
    brittle.catch_up_all()
    poisoned = poison(container)
    container.appeals.receive(receive(), actor=OPERATOR, idempotency=None)
    head = brittle.head()
    with pytest.raises(HandlerFailed):
        brittle.catch_up(brittle.runnable())

    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        ready = client.get("/health/ready")
        assert ready.status_code == 200, ready.text
        body: dict[str, Any] = ready.json()
        assert body["status"] == "degraded" and "appeals" in body["detail"]
        (failed,) = body["failed"]
        assert {k: failed[k] for k in ("projection", "version", "position", "failed_at")} == {
            "projection": "appeals",
            "version": AppealsProjection.version,
            "position": poisoned - 1,
            "failed_at": poisoned,
        }
        assert failed["error"].startswith("ValueError")
        statuses = client.get("/api/v1/projections")
        assert statuses.status_code == 200
        (appeals,) = [s for s in statuses.json() if s["name"] == "appeals"]
        assert (appeals["state"], appeals["error_position"]) == ("failed", poisoned)
        for response in (ready, statuses):
            # the phone in no form (the digits alone may meet a timestamp's microseconds)
            assert "345-67-89" not in response.text and "\\u0000" not in response.text

        started = time.monotonic()
        read = client.get("/api/v1/appeals", params={"min_position": head})
        problem = assert_problem(read, 503, "projection-failed")
        assert time.monotonic() - started < 2  # not the 5 s a view that is behind is given
        assert "retry-after" not in read.headers
        assert (problem["projection"], problem["position"], problem["failed_at"]) == (
            "appeals",
            poisoned - 1,
            poisoned,
        )
        # without min_position the view answers from what it holds
        assert client.get("/api/v1/appeals").status_code == 200

        # The way out: the fixed code (here, the real projection) rebuilt beside the live build.
        builds, progress = container.engine.rebuild(["appeals"], resume=False)
        assert progress.activated and builds[0].generation == 2
        assert client.get("/health/ready").json()["status"] == "ready"
        listed = client.get("/api/v1/appeals", params={"min_position": head})
        assert listed.status_code == 200 and listed.json()["position"] >= head
