"""Settings, read once from the environment. Only this module knows the variable names."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None  # DATABASE_URL; None → the embedded PostgreSQL
    data_dir: Path  # OTKLIK_DATA_DIR: where the embedded server keeps its data
    timezone: str  # OTKLIK_TIMEZONE: the municipality's time zone
    log_level: str  # OTKLIK_LOG_LEVEL
    log_format: str  # OTKLIK_LOG_FORMAT: json | console
    pool_size: int  # OTKLIK_POOL_SIZE: connections per process for reads and projections
    workers: int  # OTKLIK_WORKERS: ASGI worker processes under granian
    projections_in_process: bool  # OTKLIK_PROJECTIONS_IN_PROCESS: run projections in `serve`
    projection_batch: int  # OTKLIK_PROJECTION_BATCH: most events in one rebuild transaction
    sla_policy: str  # OTKLIK_SLA_POLICY: the id of the SLA policy in force

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        return cls(
            database_url=env.get("DATABASE_URL") or None,
            data_dir=Path(env.get("OTKLIK_DATA_DIR", ".otklik")).absolute(),
            timezone=env.get("OTKLIK_TIMEZONE", "Europe/Moscow"),
            log_level=env.get("OTKLIK_LOG_LEVEL", "info").lower(),
            log_format=env.get("OTKLIK_LOG_FORMAT", "json").lower(),
            pool_size=int(env.get("OTKLIK_POOL_SIZE", "8")),
            workers=int(env.get("OTKLIK_WORKERS", "1")),
            projections_in_process=env.get("OTKLIK_PROJECTIONS_IN_PROCESS", "true").lower()
            in ("1", "true", "yes", "y"),
            projection_batch=int(env.get("OTKLIK_PROJECTION_BATCH", "50000")),
            sla_policy=env.get("OTKLIK_SLA_POLICY", "federal"),
        )

    def with_database(self, url: str) -> Settings:
        return msgspec.structs.replace(self, database_url=url)


DATABASE_URL_VARIABLE = "DATABASE_URL"
