"""A bulk import's speed: a generated 100,000-row ПОС-profile CSV imported (rows/s, events/s),
beside the same events appended through the eventsourcing library's plain ``Application.save``
in chunks of the same size; then the second run (appends nothing) and the projections catching
up. Run: ``make bench-imports`` (DATABASE_URL to use a server, else an embedded PostgreSQL).
Environment: BENCH_ROWS (default 100000)."""

from __future__ import annotations

import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eventsourcing.application import Application

from bench.support import fresh_database, write_results
from domain.appeals.events import AppealEvent
from infra import db_bounds
from infra.container import Container
from infra.database import ConnectionInfo
from infra.demo.directory import load_demo_directory
from infra.demo.pos_export import pos_rows, to_csv
from infra.intake.importer import Importer, Summary
from infra.intake.parallel import Job, prepare, run_in_workers, worker_count
from infra.intake.profile import load_profile
from infra.intake.reading import Export, read_export
from infra.settings import Settings

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
CHUNK = 1000
# The library saves in pipeline mode; a save of a chunk's 7,700 events hung in psycopg's pipeline
# (both ends waiting to read: the pattern of psycopg#685), twice in a row on 2026-11-30. Its saves
# of 2,000 events do not: the baseline takes those (a batch larger than any command's).
BASELINE_CALL = 2000


def imported(container: Container, path: Path) -> tuple[Summary, float]:
    """``otklik import`` as it runs: a worker process per core (OTKLIK_IMPORT_WORKERS)."""
    started = time.perf_counter()
    prepare()
    export = read_export(path.read_bytes(), "csv")
    job = Job(
        env=dict(os.environ) | {"OTKLIK_LOG_LEVEL": "warning"},
        info=container.info,
        profile=load_profile("pos"),
        path=path,
        fmt="csv",
        file=path.name,
        now=datetime.now(UTC),
        dry_run=False,
        workers=worker_count(export.total, container.settings.import_workers),
    )
    summary = run_in_workers(job) if job.workers > 1 else _in_process(container, export, job)
    return summary, time.perf_counter() - started


def _in_process(container: Container, export: Export, job: Job) -> Summary:
    importer = Importer(container.appeals, job.profile, now=job.now, chunk=CHUNK)
    return importer.run(export, job.file)


def baseline(info: ConnectionInfo, events: list[AppealEvent]) -> float:
    """The same events through the library's own Application.save (its recorder, no extra
    records), at most BASELINE_CALL events a call; the seconds it took."""
    env = {
        **info.eventsourcing_env(2, db_bounds.request_limits(Settings.from_env())),
        "APPLICATION_RECORDER_TOPIC": "eventsourcing.postgres:PostgresApplicationRecorder",
        "CREATE_TABLE": "y",
    }
    app: Application[Any] = Application(env=env)
    app.name = "Baseline"
    per_call = min(BASELINE_CALL, max(1, len(events) * CHUNK // ROWS))
    started = time.perf_counter()
    for i in range(0, len(events), per_call):
        app.save(*events[i : i + per_call])
    took = time.perf_counter() - started
    app.close()
    return took


def main() -> None:
    with fresh_database() as info:
        settings = Settings.from_env(
            dict(os.environ) | {"DATABASE_URL": info.url(), "OTKLIK_LOG_LEVEL": "warning"}
        )
        container = Container.build(settings, info)
        container.seed_calendar()
        load_demo_directory(container)
        base = container.engine.head()
        # from the demo rubricator's first day in force, two minutes apart (139 days for 100,000)
        data = to_csv(pos_rows("B", ROWS, datetime(2026, 1, 12, 8, 0), topic="M.03", every=2))
        path = Path(tempfile.mkdtemp(prefix="otklik-bench-")) / "pos.csv"
        path.write_bytes(data)
        first, took = imported(container, path)
        print(f"import: {first.rows:,} rows, {first.events:,} events in {took:.1f} s", flush=True)
        second, again = imported(container, path)
        started = time.perf_counter()
        container.engine.catch_up_all()
        caught_up = time.perf_counter() - started
        print(f"projections caught up in {caught_up:.1f} s", flush=True)
        events = []
        position = base + 1
        while True:  # in pages: one read of the whole log outlasts the statement timeout
            page = container.appeals.recorder.select_notifications(position, 10_000)
            if not page:
                break
            events += [container.appeals.mapper.to_domain_event(n) for n in page]
            position = page[-1].id + 1
        container.close()
        baseline_took = baseline(info, [e for e in events if isinstance(e, AppealEvent)])
    rows_s, events_s = first.rows / took, first.events / took
    figures = {
        "rows": first.rows,
        "events": first.events,
        "failed": first.failed,
        "import_seconds": round(took, 2),
        "rows_per_second": round(rows_s),
        "events_per_second": round(events_s),
        "baseline_seconds": round(baseline_took, 2),
        "baseline_events_per_second": round(first.events / baseline_took),
        "second_run_seconds": round(again, 2),
        "second_run_events": second.events,
        "projections_catch_up_seconds": round(caught_up, 2),
        "machine": f"{platform.node()}, {os.cpu_count()} cores",
        "at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    table = "\n".join(
        [
            "| what | rows | events | s | rows/s | events/s |",
            "|---|---|---|---|---|---|",
            f"| Otklik: `otklik import` (ПОС profile, CSV) | {first.rows:,} | {first.events:,}"
            f" | {took:.1f} | {rows_s:,.0f} | {events_s:,.0f} |",
            f"| eventsourcing Application.save, the same events | — | {first.events:,}"
            f" | {baseline_took:.1f} | — | {first.events / baseline_took:,.0f} |",
            f"| second run (appends {second.events}) | {second.rows:,} | {second.events} |"
            f" {again:.1f} | {second.rows / again:,.0f} | — |",
            f"| projections catch up | — | {first.events:,} | {caught_up:.1f} | — |"
            f" {first.events / caught_up:,.0f} |",
            "",
            f"Target ≥ 5,000 rows/s; {figures['machine']}; {figures['at']}",
        ]
    )
    print(table)
    write_results("imports", figures, table)


if __name__ == "__main__":
    main()
