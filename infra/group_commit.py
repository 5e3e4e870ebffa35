"""Group commit: the appends of the commands that arrive together, written in one transaction under
the event table's lock (the log's order stays gap-free), each command in a savepoint of its own (a
command's version conflict or taken key fails that command only, never its neighbours), with one
NOTIFY and one COMMIT (one WAL flush) for all of them.

No thread of its own and no wait for company: a command that finds no append under way writes
the queue (its own and whatever came meanwhile, at most ``most``); those that arrive while it
writes are the next group. Each command learns its positions, or its error, after the COMMIT."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg
from eventsourcing import persistence
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from psycopg import pq
from psycopg.rows import DictRow

if TYPE_CHECKING:
    from infra.eventstore import OtklikRecorder

# psycopg's errors as the library's datastore translates them (``PostgresDatastore.get_connection``)
_TRANSLATED: tuple[tuple[type[psycopg.Error], type[Exception]], ...] = (
    (psycopg.InterfaceError, persistence.InterfaceError),
    (psycopg.OperationalError, persistence.OperationalError),
    (psycopg.DataError, persistence.DataError),
    (psycopg.IntegrityError, persistence.IntegrityError),
    (psycopg.InternalError, persistence.InternalError),
    (psycopg.ProgrammingError, persistence.ProgrammingError),
    (psycopg.NotSupportedError, persistence.NotSupportedError),
    (psycopg.DatabaseError, persistence.DatabaseError),
    (psycopg.Error, persistence.PersistenceError),
)


def translated(error: psycopg.Error) -> Exception:
    """The library's exception for a driver's error (its cause kept, as the library keeps it)."""
    kind = next(mine for theirs, mine in _TRANSLATED if isinstance(error, theirs))
    result = kind(str(error))
    result.__cause__ = error
    return result


@dataclass(eq=False)
class _Append:
    events: Sequence[StoredEvent]
    kwargs: dict[str, Any]
    ids: Sequence[int] | None = None
    error: BaseException | None = None
    done: bool = False


class GroupCommit:
    """One process's appends, grouped. ``most`` bounds a group: each command's savepoint is a
    subtransaction, and PostgreSQL keeps 64 of them per transaction in shared memory before
    every other session's snapshots get slower."""

    def __init__(self, recorder: OtklikRecorder, most: int = 32) -> None:
        self.recorder = recorder
        self.most = most
        self._changed = threading.Condition()
        self._queue: list[_Append] = []
        self._writing = False

    def append(self, events: Sequence[StoredEvent], kwargs: dict[str, Any]) -> Sequence[int] | None:
        """Append one command's events (and the records in ``kwargs``); their positions, or the
        error that refused them (the library's exceptions, as for a single append)."""
        mine = _Append(events, kwargs)
        with self._changed:
            self._queue.append(mine)
            while not mine.done:
                if self._writing:
                    self._changed.wait()
                    continue
                self._writing = True
                group, self._queue = self._queue[: self.most], self._queue[self.most :]
                self._changed.release()
                try:
                    self._write(group)
                finally:
                    self._changed.acquire()
                    self._writing = False
                    self._changed.notify_all()
        if mine.error is not None:
            raise mine.error
        return mine.ids

    def _write(self, group: list[_Append]) -> None:
        """One transaction for ``group``; every one of them is done when this returns. First all
        of them at once, in one round trip (the common case: nobody conflicts); should a
        statement fail, the group again with a savepoint per command, which fails that one
        alone."""
        try:
            try:
                self._together(group)
            except persistence.DatabaseError as error:
                if len(group) == 1 or isinstance(error, persistence.OperationalError):
                    raise
                for item in group:
                    item.ids = None
                self._one_by_one(group)
        except BaseException as error:  # the transaction did not commit: nobody's append holds
            for item in group:
                item.error, item.ids = (item.error or error), None
            if not isinstance(error, Exception):
                raise
        finally:
            for item in group:
                item.done = True

    def _together(self, group: list[_Append]) -> None:
        """BEGIN, the lock, the NOTIFY, every command's rows and COMMIT, sent in one pipeline
        and one round trip (psycopg's ``transaction()`` would wait for its BEGIN first). Should
        a statement fail, the server skips the rest up to the sync, COMMIT included, and the
        transaction is rolled back here."""
        recorder = self.recorder
        with recorder.datastore.get_connection() as conn:
            assert conn.autocommit  # BEGIN and COMMIT are ours
            cursors = []
            try:
                with conn.pipeline(), conn.cursor() as control:
                    control.execute("BEGIN")
                    recorder._lock_table(control)
                    recorder._notify_channel(control)
                    for item in group:
                        curs = conn.cursor()
                        cursors.append(curs)
                        PostgresAggregateRecorder._insert_stored_events(recorder, curs, item.events)
                        with conn.cursor() as own:  # the records after the events, as one append
                            recorder._insert_records(own, **item.kwargs)
                    control.execute("COMMIT")
                for item, curs in zip(group, cursors, strict=True):
                    item.ids = recorder._fetch_ids_after_insert_events(curs, item.events)
            except BaseException:
                if not conn.closed and conn.info.transaction_status != pq.TransactionStatus.IDLE:
                    conn.execute("ROLLBACK")
                raise
            finally:
                for curs in cursors:
                    curs.close()

    def _one_by_one(self, group: list[_Append]) -> None:
        """The group with a savepoint per command: a command's error is its own."""
        recorder = self.recorder
        with (
            recorder.datastore.get_connection() as conn,
            conn.pipeline() as pipeline,
            conn.transaction(),
        ):
            with conn.cursor() as curs:
                recorder._lock_table(curs)
                recorder._notify_channel(curs)
            for item in group:
                self._one(conn, pipeline, item)

    def _one(
        self, conn: psycopg.Connection[DictRow], pipeline: psycopg.Pipeline, item: _Append
    ) -> None:
        """One command's rows in a savepoint, sync'd here, so that its own error surfaces here
        and nowhere else."""
        recorder = self.recorder
        try:
            with conn.transaction(), conn.cursor() as curs:
                PostgresAggregateRecorder._insert_stored_events(recorder, curs, item.events)
                with conn.cursor() as own:  # the records after the events, as one append does
                    recorder._insert_records(own, **item.kwargs)
                pipeline.sync()
                item.ids = recorder._fetch_ids_after_insert_events(curs, item.events)
        except psycopg.Error as error:
            if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
                raise
            item.error = translated(error)
