"""PostgreSQL: the configured server or the embedded one, connection info, migrations, pools."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from infra.db_bounds import Limits, open_bounded_pool

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"
EMBEDDED_DBNAME = "otklik"


@dataclass(frozen=True)
class ConnectionInfo:
    """A parsed ``postgresql://`` URL (host may be a Unix socket directory)."""

    dbname: str
    host: str
    port: int
    user: str
    password: str

    @classmethod
    def parse(cls, url: str) -> ConnectionInfo:
        parts = urlparse(url)
        if parts.scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
            raise ValueError("DATABASE_URL must start with postgresql://")
        query = parse_qs(parts.query)
        host = query.get("host", [parts.hostname or "127.0.0.1"])[0]
        return cls(
            dbname=unquote(parts.path.lstrip("/")) or "postgres",
            host=host,
            port=parts.port or int(query.get("port", ["5432"])[0]),
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
        )

    @property
    def conninfo(self) -> str:
        return psycopg.conninfo.make_conninfo(
            dbname=self.dbname,
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
        )

    def url(self, driver: str = "postgresql") -> str:
        auth = self.user + (f":{self.password}" if self.password else "")
        if self.host.startswith("/"):
            return f"{driver}://{auth}@/{self.dbname}?host={self.host}&port={self.port}"
        return f"{driver}://{auth}@{self.host}:{self.port}/{self.dbname}"

    def with_dbname(self, dbname: str) -> ConnectionInfo:
        return ConnectionInfo(dbname, self.host, self.port, self.user, self.password)

    def eventsourcing_env(self, pool_size: int, limits: Limits) -> dict[str, str]:
        """The eventsourcing library's configuration for this database (``bound_recorder`` puts
        the rest of ``limits`` on its pool)."""
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "APPLICATION_RECORDER_TOPIC": "infra.eventstore:OtklikRecorder",
            "MAPPER_TOPIC": "infra.event_codec:MsgspecMapper",
            "CREATE_TABLE": "n",  # alembic owns the schema
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_POOL_SIZE": str(pool_size),
            "POSTGRES_MAX_OVERFLOW": str(pool_size),
            "POSTGRES_LOCK_TIMEOUT": "5",
            "POSTGRES_CONN_MAX_AGE": "3600",
            # the pool's wait for a free connection, in whole seconds
            "POSTGRES_CONNECT_TIMEOUT": str(max(1, math.ceil(limits.pool_wait))),
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "5",
        }


class EmbeddedPostgres:
    """PostgreSQL 16 from the pgserver wheel, data under ``data_dir``; stopped on ``stop()``."""

    def __init__(self, data_dir: Path) -> None:
        from pgserver import get_server  # type: ignore[attr-defined]

        data_dir.mkdir(parents=True, exist_ok=True)
        self._server: Any = get_server(data_dir, cleanup_mode="stop")
        self.info = ConnectionInfo.parse(self._server.get_uri())

    def stop(self) -> None:
        self._server.cleanup()


def create_database(server: ConnectionInfo, dbname: str) -> ConnectionInfo:
    """Create ``dbname`` on the server if it is missing; return its connection info."""
    with psycopg.connect(server.with_dbname("postgres").conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    return server.with_dbname(dbname)


def drop_database(server: ConnectionInfo, dbname: str) -> None:
    with psycopg.connect(server.with_dbname("postgres").conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
        )


def alembic_config(info: ConnectionInfo) -> Any:
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_INI.parent / "alembic"))
    config.set_main_option("sqlalchemy.url", info.url("postgresql+psycopg").replace("%", "%%"))
    return config


def upgrade(info: ConnectionInfo) -> None:
    from alembic import command

    command.upgrade(alembic_config(info), "head")


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    config = alembic_config(ConnectionInfo("x", "x", 5432, "x", ""))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def open_pool(
    info: ConnectionInfo, size: int, name: str = "otklik", *, limits: Limits
) -> ConnectionPool:
    """A pool of at most ``size`` connections, every wait on the database under ``limits``."""
    return open_bounded_pool(info.conninfo, size, limits, name=name, kwargs={"autocommit": False})


@contextlib.contextmanager
def resolved_database(database_url: str | None, data_dir: Path) -> Iterator[ConnectionInfo]:
    """The configured database, or the embedded server's ``otklik`` database for the duration."""
    if database_url:
        yield ConnectionInfo.parse(database_url)
        return
    embedded = EmbeddedPostgres(data_dir / "pgdata")
    try:
        yield create_database(embedded.info, EMBEDDED_DBNAME)
    finally:
        embedded.stop()
