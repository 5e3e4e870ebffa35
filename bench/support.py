"""Shared by the benchmarks: a fresh database, a real server, latency statistics, results files."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from infra import database
from infra.container import Container
from infra.database import ConnectionInfo, EmbeddedPostgres
from infra.demo import synthetic

RESULTS = Path(__file__).resolve().parent / "results"


@contextlib.contextmanager
def fresh_database() -> Iterator[ConnectionInfo]:
    """A migrated database of its own, on DATABASE_URL's server or an embedded one."""
    url = os.environ.get("DATABASE_URL")
    folder: Path | None = None
    embedded: EmbeddedPostgres | None = None
    if url:
        server = ConnectionInfo.parse(url)
    else:
        folder = Path(tempfile.mkdtemp(prefix="otklik-bench-pg-"))
        embedded = EmbeddedPostgres(folder)
        server = embedded.info
    name = f"otklik_bench_{uuid.uuid4().hex[:10]}"
    info = database.create_database(server, name)
    database.upgrade(info)
    try:
        yield info
    finally:
        database.drop_database(server, name)
        if embedded is not None:
            embedded.stop()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def run_clients(target: Any, n: int) -> float:
    """Run ``target(i)`` in ``n`` threads at once; the wall time until all are done."""
    started = time.perf_counter()
    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def latency_figures(latencies: list[list[float]], took: float) -> dict[str, Any]:
    """Count, rate, p50, p99 and max (ms) of per-client latency lists over ``took`` seconds."""
    flat = [x for per in latencies for x in per]
    return {
        "count": len(flat),
        "per_second": round(len(flat) / took, 1),
        "p50_ms": round(percentile(flat, 50) * 1000, 2),
        "p99_ms": round(percentile(flat, 99) * 1000, 2),
        "max_ms": round(max(flat, default=float("nan")) * 1000, 2),
    }


def write_results(name: str, payload: dict[str, Any], table: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / f"{name}.md").write_text(table + "\n")


def same_keys(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a process of another checkout (``BENCH_BEFORE_TREE``) on the kept log: the
    master key of this checkout's data directory, where the log's data keys were wrapped (the
    other checkout's own directory would make a new one)."""
    if not env.get("OTKLIK_MASTER_KEY") and not env.get("OTKLIK_MASTER_KEY_FILE"):
        data_dir = Path(env.get("OTKLIK_DATA_DIR", ".otklik")).absolute()
        env = {**env, "OTKLIK_MASTER_KEY_FILE": str(data_dir / "master.key")}
    return env


@contextlib.contextmanager
def kept_database(name: str, events: int) -> Iterator[ConnectionInfo]:
    """A benchmark's database with its generated log, kept between runs (recreated when it holds
    fewer than ``events``): on DATABASE_URL's server, or an embedded one in .otklik/."""
    url = os.environ.get("DATABASE_URL")
    embedded = None
    if url:
        server = ConnectionInfo.parse(url)
    else:
        embedded = EmbeddedPostgres(Path(".otklik/bench-pgdata"))
        server = embedded.info
    try:
        info = server.with_dbname(name)
        try:
            with psycopg.connect(info.conninfo) as conn:
                row = conn.execute("SELECT count(*) FROM otklik_events").fetchone()
            have = int(row[0]) if row else 0
        except psycopg.Error:
            have = -1
        if have < events:
            with contextlib.suppress(psycopg.Error):
                database.drop_database(server, name)
            info = database.create_database(server, name)
        database.upgrade(info)
        yield info
    finally:
        if embedded is not None:
            embedded.stop()


def generate_log(container: Container, events: int, now: datetime) -> int:
    """Fill the log to ``events`` (synthetic appeals decided through the domain) unless it
    already holds them; the number of events."""
    have = container.engine.head()
    if have >= events:
        print(f"log: {have:,} events already there")
        return have
    started = time.perf_counter()
    last = [started]

    def show(done: int) -> None:
        if time.perf_counter() - last[0] > 5:
            last[0] = time.perf_counter()
            print(f"  generated {done:,} events", flush=True)

    count = synthetic.load(container.appeals, events, now=now, on_progress=show)
    took = time.perf_counter() - started
    print(f"log: generated {count:,} events in {took:.0f} s ({count / took:,.0f}/s)")
    return count
