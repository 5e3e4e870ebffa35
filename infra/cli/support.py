"""What every command of the `otklik` program opens: the settings, the database (the embedded
server when DATABASE_URL is unset), the composition root."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from infra import database
from infra.container import Container
from infra.database import ConnectionInfo
from infra.logging import configure
from infra.settings import Settings


@contextlib.contextmanager
def database_session() -> Iterator[tuple[Settings, ConnectionInfo]]:
    settings = Settings.from_env()
    configure(settings.log_level, settings.log_format)
    with database.resolved_database(settings.database_url, settings.data_dir) as info:
        yield settings, info


@contextlib.contextmanager
def container_session(*, migrate: bool = False) -> Iterator[Container]:
    with database_session() as (settings, info):
        if migrate:
            database.upgrade(info)
        container = Container.build(settings, info)
        try:
            yield container
        finally:
            container.close()
