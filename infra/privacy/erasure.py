"""Erasure: the keys of a subject (or of one of their appeals) destroyed in the key store, the
act journalled outside the database, then recorded as ``PersonalDataErased`` on the subject's
stream (who, ground, when, which subject and appeals; no data)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import structlog
from eventsourcing.application import Application
from psycopg import Connection

from domain.privacy.erasure import (
    Eraser,
    ErasureGround,
    PersonalDataErased,
    PrivacyEvent,
    RecordErasure,
    SubjectState,
    decide,
    ensure_may_erase,
    evolve,
)
from domain.shared.actors import Actor
from domain.shared.errors import NotFound
from domain.shared.handler import CommandHandler, Decider
from infra.privacy.journal import Journal, JournalEntry
from infra.privacy.keyring import Keyring

log = structlog.get_logger("otklik.privacy")


class ErasureService(Eraser):
    def __init__(
        self,
        keyring: Keyring,
        store: Application[UUID],
        clock: Callable[[], datetime],
        journal: Journal,
        timezone: str,
        on_erased: Callable[[tuple[UUID, ...]], object] | None = None,
    ) -> None:
        self.keyring = keyring
        self.on_erased = on_erased  # what else goes with the keys (the appeals' files)
        self._committed = 0.0  # when the last erasure committed (monotonic)
        self.journal = journal
        self.clock = clock
        self.zone = ZoneInfo(timezone)
        self.handler = CommandHandler(store, clock)
        self.decider: Decider[SubjectState, RecordErasure, PrivacyEvent] = Decider(
            name="data subject", events=PrivacyEvent, evolve=evolve, decide=decide
        )

    def record_again(self, entry: JournalEntry, actor: Actor) -> None:
        """Record an erasure a restored log lacks (carried out again by ``backup.replay``)."""
        self.keyring.forget()
        self._record(entry, actor)

    def _record(self, entry: JournalEntry, actor: Actor) -> int:
        """The erasure's event on the subject's stream, once the views were told; its version."""
        if self.on_erased is not None:
            self.on_erased(entry.appeal_ids)
        written = self.handler.handle(
            self.decider, entry.subject_id, _recording(entry), actor=actor, must_exist=False
        )
        return written.version

    def subject_of(self, appeal_id: UUID) -> UUID:
        """The data subject an appeal's key belongs to."""
        with self.keyring.pool.connection() as conn:
            row = conn.execute(
                "SELECT subject_id FROM privacy_data_keys WHERE appeal_id = %s", (appeal_id,)
            ).fetchone()
        if row is None:
            raise NotFound("there are no personal data of this appeal to erase")
        found: UUID = row[0]
        return found

    def erase(
        self,
        *,
        ground: ErasureGround,
        actor: Actor,
        appeal_id: UUID | None = None,
        subject_id: UUID | None = None,
    ) -> PersonalDataErased:
        """Destroy the keys of ``appeal_id`` (one appeal) or of ``subject_id`` (every appeal
        of theirs) and record it; returns once no process can open them any more. Run again
        after a crash between the two, it records the erasure that was carried out."""
        ensure_may_erase(actor)
        if (appeal_id is None) == (subject_id is None):
            raise ValueError("name an appeal or a subject")
        event = self._erase_one(ground, actor, appeal_id, subject_id)
        self._wait()
        return event

    def erase_appeals(
        self, appeal_ids: list[UUID], *, ground: ErasureGround, actor: Actor
    ) -> list[PersonalDataErased]:
        """Each appeal's data erased on its own (the retention reactor's batch), waiting once at
        the end; an appeal with nothing left to erase is passed over."""
        ensure_may_erase(actor)
        erased = []
        for appeal_id in appeal_ids:
            try:
                erased.append(self._erase_one(ground, actor, appeal_id, None))
            except NotFound:
                continue
        if erased:
            self._wait()
        return erased

    def _erase_one(
        self,
        ground: ErasureGround,
        actor: Actor,
        appeal_id: UUID | None,
        subject_id: UUID | None,
    ) -> PersonalDataErased:
        erased_on = self.clock().astimezone(self.zone).date()
        try:
            with self.keyring.pool.connection() as conn, conn.transaction():
                entry = _destroy(conn, appeal_id, subject_id, ground, erased_on, actor)
        except NotFound:
            unrecorded = self._unrecorded(appeal_id, subject_id)
            if unrecorded is None:
                raise
            entry = unrecorded
        self._committed = time.monotonic()
        self.keyring.forget()
        self.journal.append(entry)
        version = self._record(entry, actor)
        event = self.handler.read(PrivacyEvent, entry.subject_id)[version - 1].event
        assert isinstance(event, PersonalDataErased)
        log.info(  # ids, ground and counts only
            "privacy.erased",
            erasure_id=str(event.erasure_id),
            subject_id=str(event.subject_id),
            appeals=len(event.appeal_ids),
            keys=event.keys,
            ground=event.ground.value,
            actor_id=actor.id,
        )
        return event

    def _wait(self) -> None:
        """Every other process re-reads the erasures within ``fresh_for`` of the commit."""
        time.sleep(max(0.0, self._committed + self.keyring.fresh_for * 2 - time.monotonic()))

    def _unrecorded(self, appeal_id: UUID | None, subject_id: UUID | None) -> JournalEntry | None:
        """An erasure of the appeal or subject carried out in the key store whose event the log
        lacks (the process died between the two), if there is one."""
        with self.keyring.pool.connection() as conn:
            if appeal_id is not None:
                entries = recorded_erasures(
                    conn,
                    "e.appeal_id = %s OR e.erasure_id IN"
                    " (SELECT erasure_id FROM privacy_shredded_keys WHERE appeal_id = %s)",
                    (appeal_id, appeal_id),
                )
            else:
                entries = recorded_erasures(
                    conn, "e.subject_id = %s AND e.appeal_id IS NULL", (subject_id,)
                )
            for entry in entries:
                logged = conn.execute(
                    "SELECT 1 FROM otklik_events WHERE originator_id = %s"
                    " AND topic = 'PersonalDataErased'"
                    " AND position(convert_to(%s, 'UTF8') IN state) > 0",
                    (entry.subject_id, str(entry.erasure_id)),
                ).fetchone()
                if logged is None:
                    return entry
        return None


def recorded_erasures(
    conn: Connection[Any], where: str = "true", params: tuple[Any, ...] = ()
) -> list[JournalEntry]:
    """The erasures the key store records (``where`` on ``privacy_erasures e``), as journal
    entries, oldest first."""
    rows = conn.execute(
        "SELECT e.erasure_id, e.subject_id, e.appeal_id, e.ground, e.erased_on, e.erased_by,"
        " coalesce(array_agg(s.key_id) FILTER (WHERE s.key_id IS NOT NULL), '{}'),"
        " coalesce(array_agg(s.appeal_id) FILTER (WHERE s.appeal_id IS NOT NULL), '{}')"
        " FROM privacy_erasures e LEFT JOIN privacy_shredded_keys s USING (erasure_id)"
        f" WHERE {where} GROUP BY e.seq ORDER BY e.seq",
        params,
    ).fetchall()
    return [
        JournalEntry(
            erasure_id=r[0],
            subject_id=r[1],
            appeal_id=r[2],
            appeal_ids=tuple(r[7]),
            key_ids=tuple(r[6]),
            ground=r[3],
            erased_on=r[4],
            erased_by=r[5],
        )
        for r in rows
    ]


def _recording(entry: JournalEntry) -> RecordErasure:
    """The command that records an erasure the key store has carried out (now or again)."""
    return RecordErasure(
        erasure_id=entry.erasure_id,
        subject_id=entry.subject_id,
        appeal_ids=entry.appeal_ids,
        whole_subject=entry.appeal_id is None,
        ground=ErasureGround(entry.ground),
        erased_on=entry.erased_on,
        keys=len(entry.key_ids),
    )


def _destroy(
    conn: Connection[Any],
    appeal_id: UUID | None,
    subject_id: UUID | None,
    ground: ErasureGround,
    erased_on: Any,
    actor: Actor,
) -> JournalEntry:
    if appeal_id is not None:
        rows = conn.execute(
            "SELECT key_id, subject_id, appeal_id FROM privacy_data_keys WHERE appeal_id = %s"
            " FOR UPDATE",
            (appeal_id,),
        ).fetchall()
    else:
        rows = conn.execute(
            "SELECT key_id, subject_id, appeal_id FROM privacy_data_keys WHERE subject_id = %s"
            " ORDER BY created_at FOR UPDATE",
            (subject_id,),
        ).fetchall()
    if not rows:
        raise NotFound("there are no personal data of this appeal or subject left to erase")
    subject: UUID = rows[0][1]
    entry = JournalEntry(
        erasure_id=uuid.uuid4(),
        subject_id=subject,
        appeal_id=appeal_id,
        appeal_ids=tuple(r[2] for r in rows if r[2] is not None),
        key_ids=tuple(str(r[0]) for r in rows),
        ground=ground.value,
        erased_on=erased_on,
        erased_by=actor.id,
    )
    apply_entry(conn, entry)
    return entry


def apply_entry(conn: Connection[Any], entry: JournalEntry) -> int:
    """Carry out an erasure in the key store (again, after a restore): the erasure's row, its
    shredded keys, the keys deleted, and for a whole subject the blind indexes that named them.
    Returns how many keys were deleted."""
    conn.execute(
        "INSERT INTO privacy_erasures"
        " (erasure_id, subject_id, appeal_id, ground, erased_on, erased_by)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (erasure_id) DO NOTHING",
        (
            entry.erasure_id,
            entry.subject_id,
            entry.appeal_id,
            entry.ground,
            entry.erased_on,
            entry.erased_by,
        ),
    )
    keys = list(entry.key_ids)
    conn.execute(
        "INSERT INTO privacy_shredded_keys (key_id, erasure_id, appeal_id)"
        " SELECT key_id, %s, appeal_id FROM privacy_data_keys WHERE key_id = ANY(%s)"
        " ON CONFLICT (key_id) DO NOTHING",
        (entry.erasure_id, keys),
    )
    conn.execute(  # keys a restored database never had: named all the same
        "INSERT INTO privacy_shredded_keys (key_id, erasure_id)"
        " SELECT k, %s FROM unnest(%s::text[]) AS k ON CONFLICT (key_id) DO NOTHING",
        (entry.erasure_id, keys),
    )
    deleted = conn.execute("DELETE FROM privacy_data_keys WHERE key_id = ANY(%s)", (keys,)).rowcount
    if entry.appeal_id is None:
        conn.execute("DELETE FROM privacy_subject_index WHERE subject_id = %s", (entry.subject_id,))
    return deleted
