"""A bulk save (a bulk import's chunk): already-encoded events appended with one multi-row
insert, with the registration numbers and the idempotency records they carry, in one
transaction under the library's table lock (the log's order stays gap-free: ids are taken and
committed by one writer at a time) and with its NOTIFY. The events go by COPY in binary: the
server's cheapest way in.

The library's ``Application.save`` spends its time, for thousands of events, on a
``typing.Protocol`` isinstance per event and on psycopg quoting an array of composite values
(two regular expressions per event); here the rows go by binary COPY (psycopg's C writer)."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from eventsourcing.persistence import StoredEvent
from psycopg import Cursor, errors
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from api import written
from api.metrics import EVENTS_APPENDED
from domain.appeals.application import IdempotencyRecord
from domain.appeals.registrations import RegistrationConflict, RegistrationRecord

if TYPE_CHECKING:
    from infra.eventstore import OtklikRecorder

_EVENTS = (
    "COPY {schema}.{table} (originator_id, originator_version, topic, state)"
    " FROM STDIN (FORMAT BINARY)"
)
# The position of the last event copied: the table is locked, so this session's last number is
# the log's last position (no other writer takes one meanwhile).
_LAST = "SELECT currval(pg_get_serial_sequence(%s, 'notification_id')) AS last"
_TYPES = ("uuid", "int8", "text", "bytea")

_REGISTRATIONS = (
    "INSERT INTO registration_numbers (municipality, number, appeal_id)"
    " SELECT * FROM unnest(%b::text[], %b::text[], %b::uuid[])"
)
_IDEMPOTENCY = (
    "INSERT INTO idempotency_keys (principal, key, fingerprint, stream_id, version)"
    " SELECT * FROM unnest(%b::text[], %b::text[], %b::text[], %b::uuid[], %b::bigint[])"
)


def insert_bulk(
    recorder: OtklikRecorder,
    stored: Sequence[StoredEvent],
    registrations: Sequence[RegistrationRecord] = (),
    idempotency: Sequence[IdempotencyRecord] = (),
) -> int:
    """Appends ``stored`` (in their order) and the records, all or nothing; the last position.
    A key or a number taken before is an ``IntegrityError`` (``RegistrationConflict`` for a
    number), nothing saved."""
    if not stored:
        return 0
    events = SQL(_EVENTS).format(
        schema=Identifier(recorder.datastore.schema),
        table=Identifier(recorder.events_table_name),
    )
    table = f"{recorder.datastore.schema}.{recorder.events_table_name}"
    try:
        with recorder.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            recorder._lock_table(curs)
            recorder._notify_channel(curs)
            with curs.copy(events) as copy:
                copy.set_types(_TYPES)
                for s in stored:
                    copy.write_row((s.originator_id, s.originator_version, s.topic, s.state))
            found = curs.execute(_LAST, (table,)).fetchone()
            assert found is not None
            last = int(found["last"])
            _insert_records(curs, registrations, idempotency)
    except Exception as e:
        cause = e.__cause__
        if (
            isinstance(cause, errors.UniqueViolation)
            and cause.diag.table_name == "registration_numbers"
        ):
            raise RegistrationConflict(str(e)) from e
        raise
    written.appended(last)
    with contextlib.suppress(Exception):  # a metrics file gone never fails a committed write
        appended = Counter(s.topic.partition("@")[0] for s in stored)
        for name, count in appended.items():
            EVENTS_APPENDED.labels(type=name).inc(count)
    return last


def _insert_records(
    curs: Cursor[DictRow],
    registrations: Sequence[RegistrationRecord],
    idempotency: Sequence[IdempotencyRecord],
) -> None:
    if registrations:
        curs.execute(
            _REGISTRATIONS,
            (
                [r.municipality or "" for r in registrations],
                [r.number for r in registrations],
                [r.appeal_id for r in registrations],
            ),
        )
    if idempotency:
        curs.execute(
            _IDEMPOTENCY,
            (
                [r.principal for r in idempotency],
                [r.key for r in idempotency],
                [r.fingerprint for r in idempotency],
                [r.stream_id for r in idempotency],
                [r.version for r in idempotency],
            ),
        )
