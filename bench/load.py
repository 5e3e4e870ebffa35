"""A small closed-loop HTTP load generator for the benchmarks: N client threads, each with one
keep-alive connection (the standard library's ``http.client``, so the generator spends little of
the machine's CPU on itself), issuing GETs back to back for a fixed time."""

from __future__ import annotations

import http.client
import time
from typing import Any
from urllib.parse import quote, urlsplit

from bench.support import latency_figures, run_clients


def measure(
    url: str,
    path: str,
    *,
    clients: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    expect: int = 200,
) -> dict[str, Any]:
    """Requests/s, p50/p99/max latency and errors (answers other than ``expect``) of ``path``."""
    target = urlsplit(url)
    sent_path = quote(path, safe="/?&=%:,")
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        connection = http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
        mine = latencies[n]
        try:
            while time.monotonic() < stop:
                started = time.perf_counter()
                connection.request("GET", sent_path, headers=headers or {})
                response = connection.getresponse()
                response.read()
                mine.append(time.perf_counter() - started)
                if response.status != expect:
                    errors[n] += 1
        finally:
            connection.close()

    took = run_clients(client, clients)
    figures = latency_figures(latencies, took)
    return {
        "path": path,
        "clients": clients,
        "requests": figures["count"],
        "errors": sum(errors),
        "per_second": round(figures["per_second"]),
        "p50_ms": figures["p50_ms"],
        "p99_ms": figures["p99_ms"],
        "max_ms": figures["max_ms"],
    }
