"""Durable commands per second through HTTP (granian + Litestar + the event store), with 1 and 16
concurrent clients, beside eventsourcing's plain ``Application.save`` in-process on the same server.

Run: ``make bench-commands`` (DATABASE_URL to use a server, else an embedded PostgreSQL).
Environment: BENCH_SECONDS (default 8) per measurement.
"""

from __future__ import annotations

import os
import platform
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench.support import fresh_database, latency_figures, run_clients, write_results
from domain.shared.actors import Role
from infra.container import Container
from infra.database import ConnectionInfo
from infra.server_process import server_process
from infra.settings import Settings

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
BODY = {
    "kind": "message",
    "channel": "pos",
    "text": "Не горят фонари во дворе дома 5",
    "external_id": "POS-1",
}


def http_commands(url: str, token: str, clients: int) -> dict[str, Any]:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop = time.monotonic() + SECONDS

    def client(n: int) -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as c:
            while time.monotonic() < stop:
                started = time.perf_counter()
                response = c.post("/api/v1/appeals", json=BODY)
                latencies[n].append(time.perf_counter() - started)
                if response.status_code != 201:
                    errors[n] += 1

    return _run(client, clients, latencies, errors)


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
    errors = [0] * threads
    stop = time.monotonic() + SECONDS

    def worker(n: int) -> None:
        while time.monotonic() < stop:
            started = time.perf_counter()
            app.save(Counter(name="x"))
            latencies[n].append(time.perf_counter() - started)

    try:
        return _run(worker, threads, latencies, errors)
    finally:
        app.close()


def _run(target: Any, n: int, latencies: list[list[float]], errors: list[int]) -> dict[str, Any]:
    figures = latency_figures(latencies, run_clients(target, n))
    return {
        "concurrency": n,
        "commands": figures["count"],
        "errors": sum(errors),
        "per_second": figures["per_second"],
        "p50_ms": figures["p50_ms"],
        "p99_ms": figures["p99_ms"],
    }


def main() -> None:
    with fresh_database() as info:
        container = Container.build(Settings.from_env({"DATABASE_URL": info.url()}), info)
        token, _ = container.tokens.create(role=Role.OPERATOR, name="bench")
        container.close()
        rows: list[dict[str, Any]] = []
        with server_process(
            info, env={"OTKLIK_LOG_LEVEL": "warning", "OTKLIK_POOL_SIZE": "20"}
        ) as url:
            http_commands(url, token, 4)  # warm-up
            for clients in (1, 16):
                rows.append(
                    {
                        "what": "Otklik: POST /api/v1/appeals over HTTP",
                        **http_commands(url, token, clients),
                    }
                )
        for threads in (1, 16):
            rows.append(
                {
                    "what": "eventsourcing Application.save, in-process",
                    **baseline_save(info, threads),
                }
            )
    table = "\n".join(
        [
            "| what | concurrency | commands/s | p50 ms | p99 ms | errors |",
            "|---|---|---|---|---|---|",
        ]
        + [
            f"| {r['what']} | {r['concurrency']} | {r['per_second']:,.0f} | {r['p50_ms']} | "
            f"{r['p99_ms']} | {r['errors']} |"
            for r in rows
        ]
    )
    ours = {r["concurrency"]: r["per_second"] for r in rows if r["what"].startswith("Otklik")}
    base = {r["concurrency"]: r["per_second"] for r in rows if r["what"].startswith("event")}
    ratios = {c: round(ours[c] / base[c], 2) for c in ours}
    summary = (
        f"\nRatio Otklik/baseline: 1 client {ratios[1]}, 16 clients {ratios[16]} "
        f"({SECONDS:.0f} s each; {platform.node()}, {os.cpu_count()} cores; "
        f"database {'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'embedded'}; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC)"
    )
    print(table + summary)
    write_results(
        "commands", {"rows": rows, "ratios": ratios, "seconds": SECONDS}, table + "\n" + summary
    )


if __name__ == "__main__":
    main()
