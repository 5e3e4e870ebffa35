"""A bulk import's saving, in a thread of its own: while it saves one chunk (the database
working on the other core), the importer reads and decides the next. Each chunk is one
transaction (``OtklikRecorder.insert_bulk``); when it fails on a key or a number another import
took meanwhile, its rows are saved one by one so that only theirs fail — and every later row of
an id whose row failed fails too (it was decided on facts that were never saved)."""

from __future__ import annotations

import contextvars
import queue
import threading
from dataclasses import dataclass, field

from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.appeals.application import IdempotencyRecord
from domain.appeals.registrations import RegistrationRecord
from infra.eventstore import OtklikRecorder

EARLIER_FAILED = "an earlier row of the same id could not be saved"
TAKEN = "taken meanwhile by another import"


@dataclass(frozen=True, slots=True)
class RowSave:
    """One row's encoded events and the records they carry."""

    number: int
    key: str
    stored: list[StoredEvent]
    registrations: list[RegistrationRecord]
    claim: IdempotencyRecord | None


@dataclass
class Batch:
    index: int
    rows: list[RowSave] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Failure:
    row: RowSave
    rule: str


class Writer:
    """Saves batches in order, at most ``depth`` waiting while one is saved."""

    def __init__(self, recorder: OtklikRecorder, depth: int = 1) -> None:
        self.recorder = recorder
        self.saved_upto = -1  # the index of the last batch whose save is over
        self.failed_keys: set[str] = set()
        self.failures: list[Failure] = []
        self.error: BaseException | None = None
        self._queue: queue.Queue[Batch | None] = queue.Queue(maxsize=depth)
        # the request's context (its "written" position) goes with the saves
        context = contextvars.copy_context()
        self._thread = threading.Thread(
            target=context.run, args=(self._loop,), name="import-writer", daemon=True
        )
        self._thread.start()

    def put(self, batch: Batch) -> None:
        self._raise()
        self._queue.put(batch)

    def close(self) -> None:
        """Waits for every batch to be saved (raising what stopped the saving)."""
        self._queue.put(None)
        self._thread.join()
        self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _loop(self) -> None:
        while (batch := self._queue.get()) is not None:
            if self.error is None:
                try:
                    self._save(batch)
                except BaseException as error:  # raised in the importer's thread
                    self.error = error
            self.saved_upto = batch.index

    def _save(self, batch: Batch) -> None:
        rows = []
        for row in batch.rows:
            if row.key in self.failed_keys:
                self._fail(row, EARLIER_FAILED)
            elif row.stored:
                rows.append(row)
        if not rows:
            return
        try:
            self.recorder.insert_bulk(
                [s for r in rows for s in r.stored],
                [g for r in rows for g in r.registrations],
                [r.claim for r in rows if r.claim is not None],
            )
        except IntegrityError:
            for row in rows:
                self._save_alone(row)

    def _save_alone(self, row: RowSave) -> None:
        if row.key in self.failed_keys:
            self._fail(row, EARLIER_FAILED)
            return
        try:
            self.recorder.insert_bulk(
                row.stored, row.registrations, [row.claim] if row.claim else []
            )
        except IntegrityError:
            self._fail(row, TAKEN)

    def _fail(self, row: RowSave, rule: str) -> None:
        self.failed_keys.add(row.key)
        self.failures.append(Failure(row, rule))
