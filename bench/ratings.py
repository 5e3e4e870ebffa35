"""The public rating route under load: 32 connections, beside a static route of the same server
(the health route) in the same run, and the 304 path (the portal revalidating with
If-None-Match).

Run: ``make bench-ratings`` (DATABASE_URL to use a server, else an embedded PostgreSQL).
Environment: BENCH_APPEALS (default 3,000 demo appeals), BENCH_SECONDS (default 5),
BENCH_CLIENTS (default 32).
"""

from __future__ import annotations

import http.client
import os
import platform
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from bench.load import measure
from bench.support import fresh_database, write_results
from infra.container import Container
from infra.demo.appeals import load_demo
from infra.demo.directory import load_demo_directory
from infra.server_process import server_process
from infra.settings import Settings

APPEALS = int(os.environ.get("BENCH_APPEALS", "3000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))


def etag_of(url: str, path: str) -> str:
    target = urlsplit(url)
    connection = http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    assert response.status == 200, response.status
    tag = response.getheader("ETag")
    assert tag is not None
    return tag


def main() -> None:
    month = f"{datetime.now(UTC) - timedelta(days=40):%Y-%m}"
    with fresh_database() as info:
        container = Container.build(Settings.from_env({"DATABASE_URL": info.url()}), info)
        try:
            container.seed_calendar()
            load_demo_directory(container)  # the units and topics its commands name
            load_demo(container.appeals, APPEALS, now=datetime.now(UTC))
            container.engine.catch_up_all()
        finally:
            container.close()
        rows: list[dict[str, Any]] = []
        quiet = {"OTKLIK_LOG_LEVEL": "warning", "OTKLIK_PROJECTIONS_IN_PROCESS": "false"}
        with server_process(info, env=quiet) as url:
            rating = f"/api/v1/ratings?period={month}"
            tag = etag_of(url, rating)
            runs = [
                ("static /health/live", "/health/live", {}, 200),
                ("rating (200)", rating, {}, 200),
                ("rating, If-None-Match (304)", rating, {"If-None-Match": tag}, 304),
                ("rating by sector (200)", f"{rating}&scope=sector", {}, 200),
            ]
            for label, path, headers, expect in runs:
                measure(url, path, clients=4, seconds=1, headers=headers, expect=expect)  # warm-up
                row = measure(
                    url, path, clients=CLIENTS, seconds=SECONDS, headers=headers, expect=expect
                )
                row["what"] = label
                print(row, flush=True)
                rows.append(row)
    static = rows[0]["per_second"]
    table = "\n".join(
        [
            f"Public rating route, {APPEALS:,} demo appeals, {CLIENTS} connections"
            f" ({platform.machine()}, {os.cpu_count()} cores,"
            f" {'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'embedded PostgreSQL'},"
            f" {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {SECONDS:g} s each)",
            "",
            "| route | requests/s | share of static | p50 ms | p99 ms | max ms | errors |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *(
                f"| {r['what']} | {r['per_second']:,} | {r['per_second'] / static:.0%} |"
                f" {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['errors']} |"
                for r in rows
            ),
        ]
    )
    write_results("ratings", {"appeals": APPEALS, "clients": CLIENTS, "rows": rows}, table)
    print()
    print(table)


if __name__ == "__main__":
    main()
