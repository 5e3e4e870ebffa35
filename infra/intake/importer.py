"""A bulk import: an export's rows read through a profile, decided through the domain in chunks,
each chunk's events saved in one transaction with the idempotency records of the appeals it
receives (``intake:<source>`` + the row's external id). A row is imported whole or not at all:
its error is reported (file, row, column, rule) and the rest go on."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import structlog

from domain.appeals.application import AppealsApplication, IdempotencyRecord
from domain.appeals.events import AppealEvent, AppealRegistered
from domain.appeals.registrations import RegistrationRecord
from domain.appeals.state import AppealState, fold
from domain.shared.actors import IMPORT_PREFIX, Actor, Role
from domain.shared.handler import keyed_fingerprints
from infra.eventstore import OtklikRecorder
from infra.intake.facts import FactDecider
from infra.intake.ids import Uuid7s
from infra.intake.profile import Profile
from infra.intake.reading import Export, Row
from infra.intake.rows import Record, RowError, RowReader
from infra.intake.writer import EARLIER_FAILED, Batch, RowSave, Writer

log = structlog.get_logger(__name__)

# an appeal as the import knows it: its id, its state, its receipt's fingerprint
_Seen = tuple[UUID, AppealState | None, str]


@dataclass(frozen=True, slots=True)
class RowReport:
    file: str
    row: int
    column: str
    rule: str


@dataclass
class Summary:
    file: str
    profile: str
    dry_run: bool
    rows: int = 0
    received: int = 0  # appeals new to the log
    updated: int = 0  # appeals imported before that gained facts
    unchanged: int = 0  # rows whose facts were all recorded already
    failed: int = 0
    events: int = 0
    seconds: float = 0.0
    errors: list[RowReport] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def importer_actor(profile: Profile) -> Actor:
    """The system importer every imported fact names (the role the facts' rules allow)."""
    return Actor(
        id=f"{IMPORT_PREFIX}{profile.name}", role=Role.OPERATOR, name=f"Импорт: {profile.title}"
    )


class Importer:
    def __init__(
        self,
        app: AppealsApplication,
        profile: Profile,
        *,
        now: datetime,
        dry_run: bool = False,
        chunk: int = 1000,
    ) -> None:
        recorder = app.recorder
        assert isinstance(recorder, OtklikRecorder)
        self.app = app
        self.recorder = recorder
        self.profile = profile
        self.principal = f"intake:{profile.source}"
        self.dry_run = dry_run
        self.chunk = chunk
        directory = app.directory() if app.directory is not None else None
        rubricator = app.rubricator() if app.rubricator is not None else None
        self.reader = RowReader(profile, directory, rubricator)
        self._numbers: list[int] = []
        self._encode = app.mapper.to_stored_event
        # issue 18: a receipt's fingerprint hashes the citizen's contact: kept keyed (HMAC)
        self._keyed = keyed_fingerprints(app.mapper)
        # the appeals of the chunks decided and not yet saved, by chunk
        self._pending: dict[int, dict[str, _Seen]] = {}
        self._dry_number = 0
        self._new_id = Uuid7s()  # time-ordered: new streams go in at the log's key's right edge
        self.facts = FactDecider(
            profile,
            actor=importer_actor(profile),
            now=now,
            policy=app.policy,
            directory=directory,
            rubricator=rubricator,
            number=self._next_number,
        )

    def _next_number(self) -> int:
        if self.dry_run:  # a dry run takes no number from the sequence
            self._dry_number += 1
            return self._dry_number
        if not self._numbers:
            self._numbers = self.recorder.next_registration_numbers(self.chunk)[::-1]
        return self._numbers.pop()

    def run(
        self, export: Export, file: str, progress: Callable[[int], None] | None = None
    ) -> Summary:
        summary = Summary(file=file, profile=self.profile.name, dry_run=self.dry_run)
        started = time.perf_counter()
        writer = None if self.dry_run else Writer(self.recorder)
        try:
            for index, rows in enumerate(_chunks(export.rows, self.chunk)):
                batch = self._import_chunk(index, rows, summary, writer)
                if writer is not None:
                    writer.put(batch)
                if progress is not None:
                    progress(len(rows))
        finally:
            if writer is not None:
                writer.close()
        if writer is not None:
            self._count_failures(writer, summary)
        summary.errors.sort(key=lambda e: e.row)
        summary.seconds = time.perf_counter() - started
        log.info(
            "import.done",
            profile=self.profile.name,
            rows=summary.rows,
            failed=summary.failed,
            events=summary.events,
            dry_run=self.dry_run,
        )
        return summary

    def _import_chunk(
        self, index: int, rows: list[tuple[int, Row]], summary: Summary, writer: Writer | None
    ) -> Batch:
        read: list[tuple[int, Record]] = []
        for number, row in rows:
            summary.rows += 1
            try:
                read.append((number, self.reader.read(row)))
            except RowError as error:
                self._fail(summary, number, error)
        seen = self._seen([r.external_id for _, r in read], writer)
        batch = Batch(index)
        for number, record in read:
            try:
                if writer is not None and record.external_id in writer.failed_keys:
                    raise RowError("", EARLIER_FAILED)
                batch.rows.append(self._decide_row(number, record, seen, summary))
            except RowError as error:
                self._fail(summary, number, error)
        self._pending[index] = {r.key: seen[r.key] for r in batch.rows}
        return batch

    def _seen(self, keys: list[str], writer: Writer | None) -> dict[str, _Seen]:
        """What the log (and the chunks still being saved) hold of the ``keys``' appeals."""
        saved = writer.saved_upto if writer is not None else len(self._pending)
        for index in [i for i in self._pending if i <= saved]:
            del self._pending[index]  # in the log now: the query below sees them
        known = self.recorder.find_idempotency_keys(self.principal, list(set(keys)))
        states = self._states({k.stream_id for k in known.values()})
        seen = {
            key: (k.stream_id, states.get(k.stream_id), k.fingerprint) for key, k in known.items()
        }
        for pending in self._pending.values():  # decided, not yet saved: the later facts win
            seen.update((k, pending[k]) for k in keys if k in pending)
        return seen

    def _decide_row(
        self, number: int, record: Record, seen: dict[str, _Seen], summary: Summary
    ) -> RowSave:
        earlier = seen.get(record.external_id)
        fingerprint = self._keyed(record.fingerprint)
        if earlier is not None and earlier[2] not in (fingerprint, record.fingerprint):
            raise RowError(
                self.profile.columns.external_id,
                "the id was imported before with other receipt facts (text, time, contact, place)",
            )
        appeal_id, state = (earlier[0], earlier[1]) if earlier else (self._new_id(), None)
        after, events = self.facts.decide(record, state, appeal_id)
        seen[record.external_id] = (appeal_id, after, fingerprint)
        claim = None
        if earlier is None:
            claim = IdempotencyRecord(
                principal=self.principal,
                key=record.external_id,
                fingerprint=fingerprint,
                stream_id=appeal_id,
                version=1,  # the receipt's: a replay of the receive returns it
            )
            summary.received += 1
        elif events:
            summary.updated += 1
        else:
            summary.unchanged += 1
        summary.events += len(events)
        municipality = after.municipality if after is not None else None
        return RowSave(
            number=number,
            key=record.external_id,
            stored=[self._encode(e) for e in events] if not self.dry_run else [],
            registrations=[
                RegistrationRecord(
                    municipality=municipality, number=e.registration_number, appeal_id=appeal_id
                )
                for e in events
                if isinstance(e, AppealRegistered)
            ],
            claim=claim,
        )

    def _states(self, stream_ids: set[UUID]) -> dict[UUID, AppealState]:
        if not stream_ids:
            return {}
        found: dict[UUID, AppealState] = {}
        to_event = self.app.mapper.to_domain_event
        for stream_id, stored in self.recorder.select_streams(list(stream_ids)).items():
            events: list[Any] = [to_event(s) for s in stored]
            state = fold(e for e in events if isinstance(e, AppealEvent))
            if state is not None:
                found[stream_id] = state
        return found

    def _count_failures(self, writer: Writer, summary: Summary) -> None:
        """The rows the writer could not save: failed, their events and appeals not counted."""
        for failure in writer.failures:
            row = failure.row
            summary.events -= len(row.stored)
            if row.claim is not None:
                summary.received -= 1
            elif row.stored:
                summary.updated -= 1
            else:
                summary.unchanged -= 1
            self._fail(summary, row.number, RowError("", failure.rule))

    def _fail(self, summary: Summary, number: int, error: RowError) -> None:
        summary.failed += 1
        summary.errors.append(RowReport(summary.file, number, error.column, error.rule))


def _chunks(rows: Iterator[tuple[int, Row]], size: int) -> Iterator[list[tuple[int, Row]]]:
    batch: list[tuple[int, Row]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
