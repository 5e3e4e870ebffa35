"""A large import in worker processes, one per core: the rows are shared out by their external id
(every row of an id goes to one worker, in the file's order, so its facts are decided on what
the earlier rows recorded), each worker reads the file, decides and saves its share as
``Importer`` does (its own connections, its own writer thread; the table lock keeps the log's
order gap-free), and reports its progress and its summary to the importing process, which merges
them. Python decides one row at a time per process: the workers are how an import uses the
machine's cores (the database takes its share of them while they decide)."""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver
import os
import queue
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from infra.database import ConnectionInfo
from infra.intake.cells import text_of
from infra.intake.importer import Importer, Summary
from infra.intake.profile import Profile
from infra.intake.reading import Cell, Export, Row, read_export

# Below this many rows one process imports (starting workers costs about a second).
PARALLEL_FROM = 5_000


@dataclass(frozen=True)
class Job:
    """What a worker needs to import its share (plain values: it crosses a process boundary)."""

    env: dict[str, str]
    info: ConnectionInfo
    profile: Profile
    path: Path
    fmt: str
    file: str
    now: datetime
    dry_run: bool
    workers: int


def worker_count(rows: int, setting: int | None = None) -> int:
    """How many workers an import of ``rows`` rows takes: OTKLIK_IMPORT_WORKERS, else one per
    core; one (in the importing process) for a small file."""
    if rows < PARALLEL_FROM:
        return 1
    return max(1, setting if setting is not None else (os.cpu_count() or 1))


def share(row: Mapping[str, Cell], column: str, workers: int) -> int:
    """The worker a row goes to: by its external id (a stable hash, the same in every process)."""
    key = text_of(row.get(column)) or ""
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % workers


def run_in_workers(job: Job, progress: Callable[[int], None] | None = None) -> Summary:
    """Imports ``job.path`` with ``job.workers`` processes; their summaries merged."""
    context = _context()
    reports: multiprocessing.Queue[tuple[str, Any]] = context.Queue()
    processes: list[BaseProcess] = [
        context.Process(target=_work, args=(job, index, reports), name=f"import-{index}")
        for index in range(job.workers)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    summaries: list[Summary] = []
    try:
        while len(summaries) < len(processes):
            try:
                kind, value = reports.get(timeout=1.0)
            except queue.Empty:
                _check_alive(processes, len(summaries))
                continue
            if kind == "rows" and progress is not None:
                progress(value)
            elif kind == "summary":
                summaries.append(value)
            elif kind == "error":
                raise RuntimeError(f"an import worker stopped: {value}")
    finally:
        for process in processes:
            if process.is_alive() and len(summaries) < len(processes):
                process.terminate()
            process.join()
    total = merged(summaries, job)
    total.seconds = time.perf_counter() - started
    return total


# What a worker runs, loaded by the server the workers are forked from before they are needed.
PRELOAD = ["infra.appeals_wiring", "infra.intake.importer", "infra.logging", "infra.settings"]


def _context() -> multiprocessing.context.ForkServerContext:
    """Workers forked from a clean server process (never from the importing process, which holds
    open connections and threads), the modules they run already loaded there."""
    context = multiprocessing.get_context("forkserver")
    assert isinstance(context, multiprocessing.context.ForkServerContext)
    context.set_forkserver_preload([__name__, *PRELOAD])
    return context


def prepare() -> None:
    """Start the workers' server now: it loads their modules while the file is read."""
    _context()
    multiprocessing.forkserver.ensure_running()


# The counts a worker's summary adds to the import's.
_COUNTS = ("rows", "received", "updated", "unchanged", "failed", "events")


def merged(summaries: list[Summary], job: Job) -> Summary:
    total = Summary(file=job.file, profile=job.profile.name, dry_run=job.dry_run)
    for part in summaries:
        for name in _COUNTS:
            setattr(total, name, getattr(total, name) + getattr(part, name))
        total.errors.extend(part.errors)
    total.errors.sort(key=lambda e: e.row)
    return total


def _check_alive(processes: list[BaseProcess], done: int) -> None:
    dead = [p for p in processes if p.exitcode not in (None, 0)]
    if dead:
        raise RuntimeError(f"an import worker ended with exit code {dead[0].exitcode}")
    if done < len(processes) and all(p.exitcode == 0 for p in processes):
        raise RuntimeError("the import workers ended without their summaries")


def _work(job: Job, index: int, reports: multiprocessing.Queue[tuple[str, Any]]) -> None:
    """A worker: its share of the rows imported, its progress and summary reported."""
    try:
        from infra.appeals_wiring import build_appeals  # in the worker: its own connections
        from infra.logging import configure
        from infra.settings import Settings

        settings = Settings.from_env(job.env)
        configure(settings.log_level, settings.log_format)
        appeals = build_appeals(settings, job.info)
        try:
            export = read_export(job.path.read_bytes(), job.fmt)
            column = job.profile.columns.external_id
            mine: Iterator[tuple[int, Row]] = (
                (number, row)
                for number, row in export.rows
                if share(row, column, job.workers) == index
            )
            importer = Importer(appeals, job.profile, now=job.now, dry_run=job.dry_run)
            share_of = Export(columns=export.columns, total=export.total, rows=mine)
            summary = importer.run(share_of, job.file, lambda n: reports.put(("rows", n)))
        finally:
            appeals.close()
        reports.put(("summary", summary))
    except BaseException as error:  # reported to the importing process, which stops the rest
        reports.put(("error", type(error).__name__))
        raise
