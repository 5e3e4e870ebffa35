"""The Open311 status tracker's list: the appeals view's rows of requests received from Open311
clients, filtered as GeoReport v2's ``GET requests`` asks (ids, service codes, a window of
receipt, open or closed) and paged with the common ``page``/``page_size`` extension. The view
holds no personal data, and nothing here reads the citizen's contact, the text or the place."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from psycopg_pool import ConnectionPool

from domain.appeals.vocabulary import Channel, Status
from projections.appeals import AppealsProjection, AppealSummary
from projections.engine.model import reading

_FIELDS = AppealSummary.__struct_fields__
_SELECT = "SELECT " + ", ".join(("appeal_id", *_FIELDS[1:])) + " FROM appeals"


class RequestFilter(msgspec.Struct, frozen=True, kw_only=True):
    """What ``GET requests`` asks for. ``ids`` overrides every other filter (the spec's rule)."""

    ids: tuple[UUID, ...] = ()
    service_codes: tuple[str, ...] = ()
    received_from: datetime | None = None
    received_to: datetime | None = None
    closed: bool | None = None  # None: open and closed


class Open311Queries:
    """Reads of the appeals view (the active build) for the Open311 tracker."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def requests(self, where: RequestFilter, *, limit: int, offset: int) -> list[AppealSummary]:
        """Newest first; only requests received on the Open311 channel."""
        clauses = ["channel = %s"]
        params: list[Any] = [Channel.OPEN311.value]
        if where.ids:
            clauses.append("appeal_id = ANY(%s)")
            params.append(list(where.ids))
        else:
            if where.service_codes:
                clauses.append("topic_code = ANY(%s)")
                params.append(list(where.service_codes))
            if where.received_from is not None:
                clauses.append("received_at >= %s")
                params.append(where.received_from)
            if where.received_to is not None:
                clauses.append("received_at <= %s")
                params.append(where.received_to)
            if where.closed is not None:
                clauses.append("status = %s" if where.closed else "status <> %s")
                params.append(Status.CLOSED.value)
        query = (
            f"{_SELECT} WHERE {' AND '.join(clauses)}"
            " ORDER BY received_at DESC, appeal_id DESC LIMIT %s OFFSET %s"
        )
        params += [limit, offset]
        with reading(self.pool, AppealsProjection.name) as conn:
            rows = conn.execute(query, params).fetchall()
        return [AppealSummary(**dict(zip(_FIELDS, row, strict=True))) for row in rows]
