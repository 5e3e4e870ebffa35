"""The event store: eventsourcing's PostgreSQL recorder over psycopg 3 (events encoded by
``infra.event_codec``), with the records saved in the events' transaction.

Topics are stable event type names (``AppealReceived``), not Python module paths, so code can move
without touching history. A class at ``class_version`` N > 1 is stored under ``Name@N``; older
records are decoded as plain data and upcast with the class's ``upcast_vK_vK+1`` functions.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import Cursor, errors
from psycopg.rows import DictRow

from api import written
from api.metrics import EVENTS_APPENDED
from domain.access.records import AccessRecords
from domain.appeals.application import IdempotencyRecord
from domain.appeals.registrations import RegistrationConflict, RegistrationRecord
from infra.access_records import insert_access_records
from infra.bulk_insert import insert_bulk
from infra.group_commit import GroupCommit
from infra.token_cache import notify_access_changed


def _one_attempt(method: Any) -> Any:
    """The library's recorder method without its ``@retry``: the function ``functools.wraps``
    keeps as ``__wrapped__`` (the method itself should the library stop decorating it)."""
    return getattr(method, "__wrapped__", method)


# The library tries these up to ten times, 0.2 s apart, on any OperationalError or InterfaceError
# (``@retry(..., max_attempts=10, wait=0.2)``): a request would wait ten times its limits (32 s
# with the database gone), and an append whose COMMIT was recorded but went unanswered would be
# sent again and fail on the log's (originator, version) key: a 409 for a recorded write.
# Here each makes one attempt, an append included: its failure is the request's 503 with
# Retry-After, whose advice (repeat with the same Idempotency-Key, which records it once, or check
# the effect first) is the client's retry; the pools drop their connections when the database
# goes away, so the repeat finds fresh ones.
_INSERT_EVENTS = _one_attempt(PostgresApplicationRecorder.insert_events)


class OtklikRecorder(PostgresApplicationRecorder):
    """The library's recorder (table lock → gap-free log order, NOTIFY on append), plus the
    idempotency record and the registration number, saved in the same transaction as the events
    they belong to (a number taken twice fails the whole append on the table's primary key).
    The appends of commands that arrive together share one transaction (``infra.group_commit``),
    each in a savepoint of its own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the commands that append together share a transaction and its commit
        self.group_commit = GroupCommit(self)
        self.on_access_change: Callable[[], None] = lambda: None  # the token cache forgets

    # The library's reads, one attempt each (see _one_attempt above).
    select_events = _one_attempt(PostgresApplicationRecorder.select_events)
    select_notifications = _one_attempt(PostgresApplicationRecorder.select_notifications)
    max_notification_id = _one_attempt(PostgresApplicationRecorder.max_notification_id)

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        super()._insert_stored_events(curs, stored_events, **kwargs)
        # After the events, on a cursor of their own (the events' cursor keeps its ids): in the
        # pipeline, a key taken twice is then the first error, raised at the sync as an
        # IntegrityError, never a later statement's "pipeline aborted".
        with curs.connection.cursor() as own:
            self._insert_records(own, **kwargs)

    @staticmethod
    def _insert_records(curs: Cursor[DictRow], **kwargs: Any) -> None:
        registrations = kwargs.get("registrations") or ()
        rows = [
            (r.municipality or "", r.number, r.appeal_id)
            for r in registrations
            if isinstance(r, RegistrationRecord)
        ]
        if rows:
            curs.executemany(
                "INSERT INTO registration_numbers (municipality, number, appeal_id)"
                " VALUES (%s, %s, %s)",
                rows,
            )
        access = kwargs.get("access")
        if isinstance(access, AccessRecords):  # an account's row and its tokens'
            insert_access_records(curs, access)
            notify_access_changed(curs)  # every serving process forgets its tokens
        many = [
            (r.principal, r.key, r.fingerprint, r.stream_id, r.version)
            for r in kwargs.get("idempotency_records") or ()
            if isinstance(r, IdempotencyRecord)
        ]
        if many:  # a bulk import's: one per appeal it received (issue 16)
            curs.executemany(
                "INSERT INTO idempotency_keys (principal, key, fingerprint, stream_id, version)"
                " VALUES (%s, %s, %s, %s, %s)",
                many,
            )
        record = kwargs.get("idempotency")
        if isinstance(record, IdempotencyRecord):
            curs.execute(
                "INSERT INTO idempotency_keys (principal, key, fingerprint, stream_id, version)"
                " VALUES (%s, %s, %s, %s, %s)",
                (
                    record.principal,
                    record.key,
                    record.fingerprint,
                    record.stream_id,
                    record.version,
                ),
                prepare=True,
            )

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        try:
            ids: Sequence[int] | None = (
                self.group_commit.append(stored_events, kwargs)
                if stored_events
                else _INSERT_EVENTS(self, stored_events, **kwargs)
            )
        except IntegrityError as e:
            cause = e.__cause__
            if (
                isinstance(cause, errors.UniqueViolation)
                and cause.diag.table_name == "registration_numbers"
            ):
                raise RegistrationConflict(str(e)) from e
            raise
        if isinstance(kwargs.get("access"), AccessRecords):
            self.on_access_change()  # this process forgets before its request answers
        if ids:
            written.appended(max(ids))  # an error after this commit will name the position
        with contextlib.suppress(Exception):  # a metrics file gone never fails a committed write
            appended = Counter(stored.topic.partition("@")[0] for stored in stored_events)
            for name, count in appended.items():
                EVENTS_APPENDED.labels(type=name).inc(count)
        return ids

    def insert_bulk(
        self,
        stored_events: Sequence[StoredEvent],
        registrations: Sequence[RegistrationRecord] = (),
        idempotency: Sequence[IdempotencyRecord] = (),
    ) -> int:
        """A bulk import's chunk in one multi-row insert (``infra.bulk_insert``)."""
        return insert_bulk(self, stored_events, registrations, idempotency)

    def find_idempotency(self, principal: str, key: str) -> IdempotencyRecord | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                "SELECT fingerprint, stream_id, version FROM idempotency_keys"
                " WHERE principal = %s AND key = %s",
                (principal, key),
                prepare=True,
            )
            row = curs.fetchone()
        if row is None:
            return None
        return IdempotencyRecord(
            principal=principal,
            key=key,
            fingerprint=row["fingerprint"],
            stream_id=row["stream_id"],
            version=row["version"],
        )

    def find_idempotency_keys(
        self, principal: str, keys: Sequence[str]
    ) -> dict[str, IdempotencyRecord]:
        """The records of many keys of one principal, in one query (a bulk import's chunk)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                "SELECT key, fingerprint, stream_id, version FROM idempotency_keys"
                " WHERE principal = %s AND key = ANY(%s)",
                (principal, list(keys)),
            )
            rows = curs.fetchall()
        return {
            r["key"]: IdempotencyRecord(
                principal=principal,
                key=r["key"],
                fingerprint=r["fingerprint"],
                stream_id=r["stream_id"],
                version=r["version"],
            )
            for r in rows
        }

    def next_registration_numbers(self, n: int) -> list[int]:
        """``n`` numbers of the sequence in one query (a bulk import's chunk)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                "SELECT nextval('registration_number_seq') AS n FROM generate_series(1, %s)",
                (n,),
            )
            return [int(r["n"]) for r in curs.fetchall()]

    def select_streams(self, originator_ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        """Many streams' stored events, each in version order, in one query."""
        found: dict[UUID, list[StoredEvent]] = {i: [] for i in originator_ids}
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                f"SELECT originator_id, originator_version, topic, state"
                f" FROM {self.events_table_name} WHERE originator_id = ANY(%s)"
                " ORDER BY originator_id, originator_version",
                (list(originator_ids),),
            )
            for r in curs.fetchall():
                found[r["originator_id"]].append(
                    StoredEvent(
                        r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"])
                    )
                )
        return found

    def next_registration_number(self) -> int:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute("SELECT nextval('registration_number_seq') AS n")
            row = curs.fetchone()
        assert row is not None
        return int(row["n"])

    def registration_taken(self, municipality: str | None, number: str) -> bool:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                "SELECT 1 FROM registration_numbers WHERE municipality = %s AND number = %s",
                (municipality or "", number),
                prepare=True,
            )
            return curs.fetchone() is not None

    def select_recorded(self, originator_id: UUID) -> list[tuple[int, str, bytes]]:
        """The stream's stored events with their log positions, in version order (one query)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                f"SELECT notification_id, topic, state FROM {self.events_table_name}"
                " WHERE originator_id = %s ORDER BY originator_version",
                (originator_id,),
                prepare=True,
            )
            return [(r["notification_id"], r["topic"], bytes(r["state"])) for r in curs.fetchall()]

    def select_positions(self, originator_id: UUID) -> list[tuple[int, int]]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                f"SELECT notification_id, originator_version FROM {self.events_table_name}"
                " WHERE originator_id = %s ORDER BY originator_version",
                (originator_id,),
                prepare=True,
            )
            return [(r["notification_id"], r["originator_version"]) for r in curs.fetchall()]
