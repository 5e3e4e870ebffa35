"""The outbox's tests: a database of their own with a container whose channels point at the test's
servers, appeals carried to the acts that send messages, and the engine run until it settles."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from domain.appeals import commands as cmd
from domain.appeals.application import AppealsApplication
from domain.appeals.vocabulary import Channel, ExtensionGround, Kind
from infra import database
from infra.container import Container
from infra.database import ConnectionInfo
from infra.settings import Settings
from tests.conftest import TEST_KEY
from tests.support.appeals import ASSIGN, CATEGORISE, HEAD, OPERATOR, receive
from tests.support.directory import load_test_directory, load_test_rubricator


@contextlib.contextmanager
def outbox_database(server: ConnectionInfo) -> Iterator[ConnectionInfo]:
    name = f"otklik_outbox_{uuid.uuid4().hex[:10]}"
    info = database.create_database(server, name)
    database.upgrade(info)
    try:
        yield info
    finally:
        database.drop_database(server, name)


@contextlib.contextmanager
def outbox_container(info: ConnectionInfo, **env: str) -> Iterator[Container]:
    """A container on ``info`` with the OTKLIK_… settings given; its builds registered at the
    head of the log (a reactor reads what comes after)."""
    settings = Settings.from_env(
        {"DATABASE_URL": info.url(), "OTKLIK_POOL_SIZE": "4", **TEST_KEY, **env}
    )
    container = Container.build(settings, info)
    try:
        container.seed_calendar()
        with contextlib.suppress(Exception):  # loaded by an earlier container on this database
            load_test_directory(container.directory)
            load_test_rubricator(container.rubricator)
        container.engine.catch_up_all()
        yield container
    finally:
        container.close()


def settle(container: Container, rounds: int = 6) -> None:
    """Run the views and reactors until the log stops growing (a reactor's commands are events
    the next one reads)."""
    engine = container.engine
    for _ in range(rounds):
        head = engine.head()
        engine.catch_up_all()
        if engine.head() == head:
            return


def appeal_by_email(app: AppealsApplication, address: str) -> uuid.UUID:
    """An appeal received by e-mail from ``address``, registered, categorised and assigned."""
    contact = cmd.CitizenContactInput(full_name="Петров П. П.", email=address)
    received = app.receive(
        receive(Kind.APPEAL, Channel.EMAIL, citizen=contact), actor=OPERATOR, idempotency=None
    )
    appeal_id = received.state.id
    for command in (cmd.RegisterAppeal(), CATEGORISE, ASSIGN):
        app.handle(appeal_id, command, actor=OPERATOR)
    return appeal_id


def extend(app: AppealsApplication, appeal_id: uuid.UUID) -> int:
    """ст.12 ч.2: the answer term extended by the head; the extension's version."""
    result = app.handle(
        appeal_id,
        cmd.ExtendDeadline(
            days=10,
            ground=ExtensionGround.EXCEPTIONAL_CASE,
            reason="Требуется выезд комиссии на место",
            citizen_notified_at=datetime.now(UTC),
        ),
        actor=HEAD,
    )
    return result.state.version


def answer(app: AppealsApplication, appeal_id: uuid.UUID, text: str) -> int:
    """The answer drafted, approved and published; the publication's version."""
    for command in (cmd.DraftAnswer(text=text), cmd.ApproveAnswer()):
        app.handle(appeal_id, command, actor=OPERATOR)
    return app.handle(appeal_id, cmd.PublishAnswer(), actor=OPERATOR).state.version
