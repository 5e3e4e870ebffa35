"""Projection rebuild speed and live lag, beside eventsourcing's ProjectionRunner and a bare SQL
GROUP BY over the same events, all in one run on the same database.

Run: ``make bench-projections`` (DATABASE_URL to use a server, else an embedded PostgreSQL).
Environment: BENCH_EVENTS (default 1,000,000) — the log is generated once, through the event
store's own recorder, and kept in the database ``otklik_bench_projections`` for the next runs;
BENCH_BASELINE_SECONDS (default 20) caps the ProjectionRunner, whose time for the whole log is
then extrapolated; BENCH_LAG_RATE (default 1000 commands/s) and BENCH_LAG_SECONDS (default 10)
shape the live-lag measurement.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import psycopg
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.projection import Projection as LibraryProjection
from eventsourcing.projection import ProjectionRunner
from psycopg.sql import SQL

from bench.support import generate_log, kept_database, percentile, same_keys, write_results
from domain.appeals import commands as cmd
from domain.appeals import events as ev
from domain.appeals.application import AppealsApplication
from domain.appeals.state import AppealState, evolve
from domain.appeals.vocabulary import Channel, Kind
from domain.shared.actors import Actor, Role
from infra import db_bounds
from infra.container import Container
from infra.database import ConnectionInfo
from infra.rebuild import rebuild
from infra.settings import Settings
from projections.engine.model import Build

EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))
BASELINE_SECONDS = float(os.environ.get("BENCH_BASELINE_SECONDS", "20"))
LAG_RATE = float(os.environ.get("BENCH_LAG_RATE", "1000"))
LAG_SECONDS = float(os.environ.get("BENCH_LAG_SECONDS", "10"))
DBNAME = "otklik_bench_projections"
NOW = datetime(2026, 11, 1, tzinfo=UTC)
OPERATOR = Actor(id="bench-operator", role=Role.OPERATOR, name="Оператор (нагрузка)")


def engine_rebuild(container: Container, names: list[str], processes: int = 1) -> dict[str, Any]:
    """A fresh build of ``names`` beside the live ones, to the head and switched over; wall time
    (worker start-up, index creation and the switch included)."""
    started = time.perf_counter()
    _, progress = rebuild(container, names, resume=False, processes=processes)
    took = time.perf_counter() - started
    assert progress.activated, "the new builds did not take over"
    for status in container.engine.status():  # keep the database small
        if status.name in names and status.state == "retired":
            container.engine.drop(Build(status.name, status.version, status.generation))
    events = container.engine.head()
    return {
        "projections": names,
        "processes": processes,
        "events": events,
        "seconds": round(took, 2),
        "events_per_second": round(events / took),
    }


# --- eventsourcing's ProjectionRunner doing the same two views, one event per transaction -------
class BaselineView(PostgresTrackingRecorder):
    """The appeal list and the department counters, written the library's way: each event in
    its own transaction with its tracking record."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.sql_create_statements.extend(
            [
                SQL(
                    "CREATE TABLE IF NOT EXISTS baseline_appeals (appeal_id uuid PRIMARY KEY,"
                    " version int, status text, department text, kind text, answer_due timestamptz,"
                    " state text)"
                ).format(),
                SQL(
                    "CREATE TABLE IF NOT EXISTS baseline_department_days (day date,"
                    " department text, kind text, received int DEFAULT 0, assigned int DEFAULT 0,"
                    " answered int DEFAULT 0, answered_on_time int DEFAULT 0, closed int DEFAULT 0,"
                    " PRIMARY KEY (day, department, kind))"
                ).format(),
            ]
        )

    def apply(self, event: ev.AppealEvent, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                "SELECT state FROM baseline_appeals WHERE appeal_id = %s", (event.originator_id,)
            )
            row = curs.fetchone()
            before = msgspec.json.decode(row["state"], type=AppealState) if row else None
            state = evolve(before, event)
            curs.execute(
                "INSERT INTO baseline_appeals VALUES (%s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (appeal_id) DO UPDATE SET version = EXCLUDED.version,"
                " status = EXCLUDED.status, department = EXCLUDED.department,"
                " answer_due = EXCLUDED.answer_due, state = EXCLUDED.state",
                (
                    state.id,
                    state.version,
                    state.status,
                    state.department or "",
                    state.kind,
                    state.answer_due,
                    msgspec.json.encode(state).decode(),
                ),
            )
            counter = _counter(event, before)
            if counter is not None:
                curs.execute(
                    f"INSERT INTO baseline_department_days (day, department, kind, {counter})"
                    f" VALUES (%s, %s, %s, 1) ON CONFLICT (day, department, kind) DO UPDATE"
                    f" SET {counter} = baseline_department_days.{counter} + 1",
                    (event.occurred_at.date(), state.department or "", state.kind),
                )
            self._insert_tracking(curs, tracking)


def _counter(event: ev.AppealEvent, before: AppealState | None) -> str | None:
    if isinstance(event, ev.AppealReceived):
        return "received"
    if isinstance(event, ev.AppealAssigned):
        return "assigned"
    if isinstance(event, ev.AnswerDelivered):
        due = before.answer_due if before else None
        return "answered_on_time" if due is None or event.occurred_at <= due else "answered"
    if isinstance(event, ev.AppealClosed):
        return "closed"
    return None


class BaselineProjection(LibraryProjection[BaselineView]):
    name = "bench_baseline"

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.apply(domain_event, tracking)


class BenchApplication(AppealsApplication):
    name = "Otklik"

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env=env, clock=lambda: datetime.now(UTC))


def library_runner(info: ConnectionInfo) -> dict[str, Any]:
    with psycopg.connect(info.conninfo, autocommit=True) as conn:
        conn.execute(
            "DROP TABLE IF EXISTS baseline_appeals, baseline_department_days,"
            " bench_baseline_tracking"
        )
    env = info.eventsourcing_env(4, db_bounds.request_limits(Settings.from_env()))
    env["BENCH_BASELINE_CREATE_TABLE"] = "y"
    runner = ProjectionRunner(
        application_class=BenchApplication,
        projection_class=BaselineProjection,
        view_class=BaselineView,
        env=env,
    )
    started = time.perf_counter()
    with runner:
        time.sleep(BASELINE_SECONDS)
        done = runner.view.max_tracking_id("Otklik") or 0
        took = time.perf_counter() - started
    rate = done / took
    return {
        "events": done,
        "seconds": round(took, 1),
        "events_per_second": round(rate),
        "extrapolated_seconds_for_log": round(EVENTS / rate) if rate else None,
    }


def sql_ceiling(info: ConnectionInfo) -> dict[str, Any]:
    """What PostgreSQL alone takes to read every event and aggregate it (no Python at all)."""
    queries = {
        "count per type": "SELECT split_part(topic, '@', 1), count(*) FROM otklik_events"
        " GROUP BY 1",
        "count per day and type (JSON parsed)": "SELECT (convert_from(state, 'UTF8')::json"
        "->>'occurred_at')::timestamptz::date, split_part(topic, '@', 1), count(*)"
        " FROM otklik_events GROUP BY 1, 2",
    }
    result = {}
    with psycopg.connect(info.conninfo) as conn:
        events = conn.execute("SELECT count(*) FROM otklik_events").fetchone()
        total = int(events[0]) if events else 0
        for label, query in queries.items():
            started = time.perf_counter()
            conn.execute(query).fetchall()
            took = time.perf_counter() - started
            result[label] = {"seconds": round(took, 2), "events_per_second": round(total / took)}
    return result


# --- live lag: a worker process follows the log while commands arrive at a steady rate ----------
def _listen(
    info: ConnectionInfo,
    visible: list[tuple[int, float]],
    listening: threading.Event,
    stop: threading.Event,
) -> None:
    """Until ``stop``: each position the appeals view reports, with the moment it was seen."""
    with psycopg.connect(info.conninfo, autocommit=True) as conn:
        conn.execute("LISTEN otklik_projections")
        listening.set()
        while not stop.is_set():
            for note in conn.notifies(timeout=0.2):
                name, _, _, position = note.payload.split(":")
                if name == "appeals":
                    visible.append((int(position), time.perf_counter()))


def _write_steadily(
    container: Container,
    n: int,
    writers: int,
    interval: float,
    end: float,
    committed: list[tuple[int, float]],
    lock: threading.Lock,
) -> None:
    """Writer ``n`` of ``writers``: one command every ``interval`` seconds until ``end``, each
    commit's position and moment appended to ``committed``."""
    app = container.appeals
    tick = time.perf_counter() + n * interval / writers
    while tick < end:
        pause = tick - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        result = app.receive(
            cmd.ReceiveAppeal(
                kind=Kind.MESSAGE,
                channel=Channel.POS,
                text="Нагрузка: не горят фонари",
                external_id=f"POS-LAG-{n}",
            ),
            actor=OPERATOR,
            idempotency=None,
        )
        with lock:
            committed.append((result.position, time.perf_counter()))
        tick += interval


def _load(container: Container) -> tuple[list[tuple[int, float]], float]:
    """Commands at ``LAG_RATE`` for ``LAG_SECONDS`` from several writer threads: each commit's
    position and moment, and the seconds the writers took."""
    committed: list[tuple[int, float]] = []
    lock = threading.Lock()
    writers = int(os.environ.get("BENCH_LAG_WRITERS", "8"))
    interval = writers / LAG_RATE
    end = time.perf_counter() + LAG_SECONDS
    threads = [
        threading.Thread(
            target=_write_steadily,
            args=(container, n, writers, interval, end, committed, lock),
        )
        for n in range(writers)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return committed, time.perf_counter() - started


def _lags_ms(committed: list[tuple[int, float]], visible: list[tuple[int, float]]) -> list[float]:
    """For each commit seen in the view: milliseconds from the commit to the first view at or
    past its position."""
    lags = []
    marks = sorted(visible)
    for position, at in committed:
        seen = next((t for p, t in marks if p >= position), None)  # first view at or past it
        if seen is not None:
            lags.append(max(seen - at, 0.0) * 1000)
    return lags


def live_lag(
    info: ConnectionInfo, container: Container, tree: Path | None = None
) -> dict[str, Any]:
    """``tree``: the worker of another checkout (``bench.lag_compare``)."""
    env = same_keys({**os.environ, "DATABASE_URL": info.url(), "OTKLIK_LOG_LEVEL": "warning"})
    # the worker is not measured catching up a fresh bench database's other views (the
    # background lane, niced, may: its backlog is what a storm leaves it)
    container.engine.catch_up_all(lane="foreground")
    worker = subprocess.Popen(
        [sys.executable, "-m", "infra.cli", "projections", "run"], env=env, cwd=tree
    )
    visible: list[tuple[int, float]] = []
    listening = threading.Event()
    stop = threading.Event()
    listener = threading.Thread(target=_listen, args=(info, visible, listening, stop), daemon=True)
    listener.start()
    listening.wait(10)
    try:
        container.engine.wait_for("appeals", container.engine.head(), timeout=60)
        time.sleep(2)  # the worker is live and idle
        committed, took = _load(container)
        container.engine.wait_for("appeals", max(p for p, _ in committed), timeout=30)
        time.sleep(0.5)
    finally:
        stop.set()
        worker.terminate()
        worker.wait(30)
        listener.join(5)
    lags = _lags_ms(committed, visible)
    return {
        "target_rate": LAG_RATE,
        "achieved_rate": round(len(committed) / took),
        "commands": len(committed),
        "measured": len(lags),
        "p50_ms": round(percentile(lags, 50), 1),
        "p99_ms": round(percentile(lags, 99), 1),
        "max_ms": round(max(lags), 1) if lags else None,
    }


def main() -> None:
    with kept_database(DBNAME, EVENTS) as info:
        settings = Settings.from_env({"DATABASE_URL": info.url(), "OTKLIK_LOG_LEVEL": "warning"})
        container = Container.build(settings, info)
        try:
            total = generate_log(container, EVENTS, NOW)
            container.engine.ensure()
            print("engine: rebuilding appeals + department_days …", flush=True)
            both = engine_rebuild(container, ["appeals", "department_days"])
            print(f"  {both}")
            parallel = engine_rebuild(container, ["appeals", "department_days"], processes=2)
            print(f"  {parallel}")
            alone = {
                name: engine_rebuild(container, [name]) for name in ("appeals", "department_days")
            }
            print(f"  alone: {alone}")
            print(f"eventsourcing ProjectionRunner for {BASELINE_SECONDS:.0f} s …", flush=True)
            library = library_runner(info)
            print(f"  {library}")
            ceiling = sql_ceiling(info)
            print(f"SQL: {ceiling}")
            print(f"live lag at {LAG_RATE:.0f} commands/s …", flush=True)
            lag = live_lag(info, container)
            print(f"  {lag}")
        finally:
            container.close()
    json_ceiling = ceiling["count per day and type (JSON parsed)"]
    payload = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded PostgreSQL",
        "events": total,
        "engine_both": both,
        "engine_both_parallel": parallel,
        "engine_alone": alone,
        "eventsourcing_projection_runner": library,
        "sql_group_by": ceiling,
        "live_lag": lag,
        "ratio_engine_to_library": round(
            both["events_per_second"] / library["events_per_second"], 1
        ),
        "ratio_engine_to_sql_ceiling": round(
            both["events_per_second"] / json_ceiling["events_per_second"], 2
        ),
    }
    rows = [
        "| what | events | seconds | events/s | ratio |",
        "|---|---:|---:|---:|---:|",
        f"| Otklik engine: appeals + department_days, one process, one shared pass |"
        f" {both['events']:,} | {both['seconds']} | {both['events_per_second']:,} |"
        f" {payload['ratio_engine_to_library']}× library |",
        f"| Otklik engine: appeals + department_days, one process per build |"
        f" {parallel['events']:,} | {parallel['seconds']} |"
        f" {parallel['events_per_second']:,} | |",
    ]
    for name, figures in alone.items():
        rows.append(
            f"| Otklik engine: {name} alone | {figures['events']:,} | {figures['seconds']} |"
            f" {figures['events_per_second']:,} | |"
        )
    rows.append(
        f"| eventsourcing ProjectionRunner, same two views (capped at {BASELINE_SECONDS:.0f} s) |"
        f" {library['events']:,} | {library['seconds']} (whole log ≈"
        f" {library['extrapolated_seconds_for_log']:,} s) | {library['events_per_second']:,} | 1× |"
    )
    for label, figures in ceiling.items():
        rows.append(
            f"| bare SQL GROUP BY ({label}) | {total:,} | {figures['seconds']} |"
            f" {figures['events_per_second']:,} | ceiling |"
        )
    table = "\n".join(
        [
            f"Projections, {payload['machine']}, {payload['database']}, {payload['date']}",
            "",
            *rows,
            "",
            f"Live lag (append → visible in the appeals view, worker process"
            f" `otklik projections run`): {lag['achieved_rate']:,} commands/s for"
            f" {LAG_SECONDS:.0f} s (target {LAG_RATE:.0f}/s): p50 {lag['p50_ms']} ms,"
            f" p99 {lag['p99_ms']} ms, max {lag['max_ms']} ms.",
        ]
    )
    write_results("projections", payload, table)
    print()
    print(table)


if __name__ == "__main__":
    main()
