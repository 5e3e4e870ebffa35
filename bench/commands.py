"""Durable commands per second through HTTP (granian + Litestar + the event store, the projections
and the watcher live: the default ``otklik serve``) with 1, 16 and 64 concurrent clients driven
by ``wrk``, a reader tailing the log meanwhile (it must skip nothing), beside eventsourcing's plain
``Application.save`` in-process on the same server.

Run: ``make bench-commands`` (DATABASE_URL to use a server, else an embedded PostgreSQL).
Environment: BENCH_SECONDS (default 8) per measurement; BENCH_BEFORE_TREE, a checkout of an
earlier commit to measure in the same run (``git archive <commit> | tar -x -C <dir>``);
OTKLIK_WORKERS and the server's other settings as for ``otklik serve``.
"""

from __future__ import annotations

import functools
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench.commands_probe import LogTail
from bench.support import fresh_database, latency_figures, run_clients, write_results
from bench.wrk_load import post_appeals
from domain.shared.actors import Role
from infra.container import Container
from infra.database import ConnectionInfo
from infra.server_process import server_process
from infra.settings import Settings

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CLIENTS = (1, 16, 64)
BEFORE = os.environ.get("BENCH_BEFORE_TREE")
# granian worker processes to measure "now" with, in turn (the first also serves "before")
# (default: as `otklik serve` does, one per core)
WORKERS = os.environ.get(
    "BENCH_WORKERS", os.environ.get("OTKLIK_WORKERS", str(os.cpu_count() or 1))
).split(",")


class Counter(Aggregate):
    @event("Created")
    def __init__(self, name: str) -> None:
        self.name = name


def baseline_save(info: ConnectionInfo, threads: int) -> dict[str, Any]:
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": info.dbname,
        "POSTGRES_HOST": info.host,
        "POSTGRES_PORT": str(info.port),
        "POSTGRES_USER": info.user,
        "POSTGRES_PASSWORD": info.password,
        "POSTGRES_POOL_SIZE": str(threads),
        "CREATE_TABLE": "y",
    }
    app: Application[Any] = Application(env=env)
    app.name = "Baseline"
    latencies: list[list[float]] = [[] for _ in range(threads)]
    stop = time.monotonic() + SECONDS

    def worker(n: int) -> None:
        while time.monotonic() < stop:
            started = time.perf_counter()
            app.save(Counter(name="x"))
            latencies[n].append(time.perf_counter() - started)

    try:
        figures = latency_figures(latencies, run_clients(worker, threads))
    finally:
        app.close()
    return {
        "concurrency": threads,
        "commands": figures["count"],
        "errors": 0,
        "per_second": figures["per_second"],
        "p50_ms": figures["p50_ms"],
        "p99_ms": figures["p99_ms"],
    }


def otklik_over_http(label: str, tree: Path | None, workers: str) -> list[dict[str, Any]]:
    """One server (of ``tree``, else this checkout) on a database of its own: wrk at each
    concurrency; at 16 clients a reader tails the log, and the views' catch-up is timed."""
    rows: list[dict[str, Any]] = []
    with fresh_database() as info:
        container = Container.build(Settings.from_env({"DATABASE_URL": info.url()}), info)
        token, _ = container.tokens.create(role=Role.OPERATOR, name="bench")
        container.close()
        env = {
            "OTKLIK_WORKERS": workers,
            "OTKLIK_LOG_LEVEL": "warning",
            "OTKLIK_POOL_SIZE": os.environ.get("OTKLIK_POOL_SIZE", "10"),
        }
        probe = LogTail(info)
        try:
            log = Path(tempfile.gettempdir()) / f"otklik-bench-{label}.log"
            with server_process(info, env=env, cwd=tree, log=log) as url:
                post_appeals(url, token, 4, 2)  # warm-up
                probe.settle()
                for clients in CLIENTS:
                    load = os.getloadavg()[0]
                    figures, seen, skipped = probe.run(
                        functools.partial(post_appeals, url, token, clients, SECONDS)
                    )
                    rows.append(
                        {
                            "what": f"Otklik {label}: POST /api/v1/appeals over HTTP (serve, live)",
                            **figures,
                            "tail_seen": seen,
                            "tail_skipped": skipped,
                            "views_caught_up_s": probe.caught_up_seconds(timeout=30),
                            "load_before": round(load, 2),
                        }
                    )
                    print(rows[-1], flush=True)
        finally:
            probe.close()
    return rows


def main() -> None:
    rows: list[dict[str, Any]] = []
    if BEFORE:
        rows += otklik_over_http("before", Path(BEFORE), WORKERS[0])
    for workers in WORKERS:
        rows += otklik_over_http(f"now ({workers} worker)", None, workers)
    with fresh_database() as info:
        for threads in (1, 16):
            rows.append(
                {
                    "what": "eventsourcing Application.save, in-process",
                    **baseline_save(info, threads),
                }
            )
            print(rows[-1], flush=True)
    table = "\n".join(
        [
            "| what | clients | commands/s | p50 ms | p99 ms | errors | tail skipped |"
            " views caught up | wrk CPU |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        + [
            f"| {r['what']} | {r['concurrency']} | {r['per_second']:,.0f} | {r['p50_ms']} |"
            f" {r['p99_ms']} | {r['errors']} | {_tail(r)} | {_caught(r)} |"
            f" {_share(r)} |"
            for r in rows
        ]
    )
    base = {r["concurrency"]: r["per_second"] for r in rows if r["what"].startswith("event")}
    first = f"Otklik now ({WORKERS[0]} worker)"
    ours = {r["concurrency"]: r["per_second"] for r in rows if r["what"].startswith(first)}
    ratios = {c: round(ours[c] / base[min(c, 16)], 2) for c in ours}
    summary = (
        f"\nRatio {first} / library save (16 threads for 64 clients): "
        + ", ".join(f"{c} clients {ratio}" for c, ratio in ratios.items())
        + f" ({SECONDS:.0f} s each; {platform.node()}, {os.cpu_count()} cores, load"
        f" {os.getloadavg()[0]:.1f} at the end; database"
        f" {'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'embedded'};"
        f" {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)"
    )
    print(table + summary)
    write_results(
        "commands", {"rows": rows, "ratios": ratios, "seconds": SECONDS}, table + "\n" + summary
    )


def _tail(row: dict[str, Any]) -> str:
    return f"{row['tail_skipped']} of {row['tail_seen']:,}" if "tail_seen" in row else ""


def _caught(row: dict[str, Any]) -> str:
    seconds = row.get("views_caught_up_s")
    return "" if "tail_seen" not in row else (f"{seconds} s" if seconds is not None else "no")


def _share(row: dict[str, Any]) -> str:
    share = row.get("generator_cpu_share")
    return f"{share:.0%}" if share is not None else "in-process"


if __name__ == "__main__":
    main()
