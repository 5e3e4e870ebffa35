"""Projection engines over a test's database, the appeals that feed them, and a projection whose
handler fails on one event until it is fixed."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from domain.appeals import commands as cmd
from domain.appeals import events as ev
from infra.container import Container
from infra.engine_wiring import projections
from infra.event_codec import codec_decoder
from projections.engine.model import Batch
from projections.engine.runner import ProjectionEngine
from tests.support.appeals import OPERATOR, receive

if TYPE_CHECKING:
    from domain.appeals.application import AppealsApplication


@contextlib.contextmanager
def before_the_directory(app: AppealsApplication) -> Iterator[None]:
    """Commands decided as before the directory (issue 15): a department is the name typed. The
    engine's tests filter and count their views by the names they assign to."""
    directory, app.directory = app.directory, None
    try:
        yield
    finally:
        app.directory = directory


def make_appeals(app: AppealsApplication, n: int, department: str = "Управление ЖКХ") -> int:
    """``n`` appeals received, registered and assigned to ``department`` (a name, as before the
    directory); the last position."""
    with before_the_directory(app):
        return _make_appeals(app, n, department)


def _make_appeals(app: AppealsApplication, n: int, department: str) -> int:
    position = 0
    for _ in range(n):
        r = app.receive(receive(), actor=OPERATOR, idempotency=None)
        app.handle(r.state.id, cmd.RegisterAppeal(), actor=OPERATOR)
        position = app.handle(
            r.state.id, cmd.AssignAppeal(department=department), actor=OPERATOR
        ).position
    return position


def engine_for(container: Container, **options: Any) -> ProjectionEngine:
    """A second engine on the same database, as another worker process would have."""
    return ProjectionEngine(
        pool=container.pool,
        conninfo=container.info.conninfo,
        projections=options.pop("projections", projections(container.settings)),
        decode=codec_decoder(container.keyring),
        **options,
    )


class Fragile:
    """A projection whose handler fails on one particular event, until it is fixed."""

    name = "fragile"
    version = 1
    topics = frozenset({"AppealAssigned"})
    tables = ("fragile_assignments",)
    ddl = "CREATE TABLE {fragile_assignments} (appeal_id uuid PRIMARY KEY, department text)"
    indexes = ""
    poison = "Отдел, на котором обработчик падает"
    fixed = False

    def fails_on(self, event: ev.AppealAssigned) -> Exception | None:
        """What the handler raises on ``event`` while it is not fixed (None: it holds it)."""
        return RuntimeError("handler bug") if event.department == self.poison else None

    def apply(self, batch: Batch) -> None:
        (table,) = self.tables
        rows = []
        for item in batch.events:
            event = item.event
            assert isinstance(event, ev.AppealAssigned)
            error = None if self.fixed else self.fails_on(event)
            if error is not None:
                raise error
            rows.append((event.originator_id, event.department))
        batch.upsert(table, ("appeal_id", "department"), rows, key=("appeal_id",))
