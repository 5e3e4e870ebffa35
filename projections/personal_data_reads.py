"""Who read a citizen's personal data: one row per ``PersonalDataRead`` event (who, when, which
appeal, through which route, which fields), for auditors to query. The events themselves are the
append-only record, under the log's hash chain; this view only makes them searchable."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from psycopg_pool import ConnectionPool

from domain.audit.events import PersonalDataRead
from projections.engine.model import Batch, reading


class PersonalDataReadsProjection:
    name = "personal_data_reads"
    version = 1
    topics = frozenset({"PersonalDataRead"})
    tables = ("personal_data_reads",)
    ddl = """
        CREATE TABLE {personal_data_reads} (
            position bigint PRIMARY KEY,
            at timestamptz NOT NULL,
            appeal_id uuid NOT NULL,
            actor_id text NOT NULL,
            actor_role text NOT NULL,
            actor_name text NOT NULL,
            actor_department text,
            route text NOT NULL,
            fields text[] NOT NULL
        );
    """
    indexes = """
        CREATE INDEX IF NOT EXISTS {personal_data_reads}_appeal
            ON {personal_data_reads} (appeal_id, position);
        CREATE INDEX IF NOT EXISTS {personal_data_reads}_actor
            ON {personal_data_reads} (actor_id, position);
    """

    def apply(self, batch: Batch) -> None:
        rows = []
        for item in batch.events:
            e = item.event
            if isinstance(e, PersonalDataRead):
                rows.append(
                    (
                        item.position,
                        e.occurred_at,
                        e.appeal_id,
                        e.actor.id,
                        e.actor.role.value,
                        e.actor.name,
                        e.actor.department,
                        e.route,
                        list(e.fields),
                    )
                )
        if rows:
            batch.upsert("personal_data_reads", _COLUMNS, rows, key=("position",))


_COLUMNS = (
    "position",
    "at",
    "appeal_id",
    "actor_id",
    "actor_role",
    "actor_name",
    "actor_department",
    "route",
    "fields",
)


class PersonalDataReadItem(msgspec.Struct, frozen=True, kw_only=True):
    position: int
    at: datetime
    appeal_id: UUID
    actor_id: str
    actor_role: str
    actor_name: str
    actor_department: str | None
    route: str
    fields: builtins.list[str]


class PersonalDataReadPage(msgspec.Struct, frozen=True, kw_only=True):
    items: builtins.list[PersonalDataReadItem]
    next_cursor: int | None  # pass as ``before`` for the next (older) page


class PersonalDataReadQueries:
    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def list(
        self,
        *,
        appeal_id: UUID | None = None,
        actor_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before: int | None = None,
        limit: int = 100,
    ) -> PersonalDataReadPage:
        """The readings, newest first."""
        clauses = ["TRUE"]
        params: dict[str, Any] = {"limit": limit + 1}
        for column, value, op in (
            ("appeal_id", appeal_id, "="),
            ("actor_id", actor_id, "="),
            ("at", since, ">="),
            ("at", until, "<"),
            ("position", before, "<"),
        ):
            if value is not None:
                key = f"p{len(params)}"
                clauses.append(f"{column} {op} %({key})s")
                params[key] = value
        query = (
            f"SELECT {', '.join(_COLUMNS)} FROM personal_data_reads"
            f" WHERE {' AND '.join(clauses)} ORDER BY position DESC LIMIT %(limit)s"
        )
        with reading(self.pool, PersonalDataReadsProjection.name) as conn:
            rows = conn.execute(query, params).fetchall()
        items = [PersonalDataReadItem(**dict(zip(_COLUMNS, r, strict=True))) for r in rows[:limit]]
        more = len(rows) > limit
        return PersonalDataReadPage(
            items=items, next_cursor=items[-1].position if more and items else None
        )
