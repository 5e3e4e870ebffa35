"""Retention wired for a process: the schedule (read afresh on every use, so an administrator's
change applies), legal holds, and the reactor that erases what has expired."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from psycopg_pool import ConnectionPool

from domain.appeals.application import AppealsApplication
from domain.privacy.erasure import ErasureGround
from domain.retention.schedule import RetentionSchedule
from domain.retention.service import LegalHolds
from domain.shared.actors import Actor
from domain.shared.errors import NotFound
from infra.calendar_clock import utc_now
from infra.privacy.erasure import ErasureService
from infra.retention.schedule import load_schedule
from projections.reactors.retention import RetentionReactor


@dataclass(frozen=True)
class Retention:
    holds: LegalHolds
    reactor: RetentionReactor
    path: Path | None

    def schedule(self) -> RetentionSchedule:
        return load_schedule(self.path)


def build_retention(
    appeals: AppealsApplication,
    pool: ConnectionPool,
    privacy: ErasureService,
    *,
    path: Path | None,
    timezone: str,
    interval: float,
) -> Retention:
    def exists(appeal_id: UUID) -> bool:
        try:
            appeals.state(appeal_id)
        except NotFound:
            return False
        return True

    def with_data(appeal_ids: Collection[UUID]) -> set[UUID]:
        with privacy.keyring.pool.connection() as conn:
            rows = conn.execute(
                "SELECT appeal_id FROM privacy_data_keys WHERE appeal_id = ANY(%s)",
                (list(appeal_ids),),
            ).fetchall()
        return {r[0] for r in rows}

    def erase(appeal_ids: list[UUID], actor: Actor) -> set[UUID]:
        erased = privacy.erase_appeals(appeal_ids, ground=ErasureGround.RETENTION, actor=actor)
        return {appeal for event in erased for appeal in event.appeal_ids}

    holds = LegalHolds(appeals, utc_now, exists)
    reactor = RetentionReactor(
        pool,
        lambda: load_schedule(path),
        with_data=with_data,
        held=holds.held,
        erase=erase,
        timezone=timezone,
        interval=interval,
    )
    return Retention(holds=holds, reactor=reactor, path=path)
