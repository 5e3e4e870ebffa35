"""The commands' load generator: ``wrk`` (a C program, the Debian package) with a Lua script that
POSTs appeals with unique Idempotency-Keys, and the share of the machine's CPU it used."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().parent / "wrk" / "post_appeal.lua"


def available() -> bool:
    return shutil.which("wrk") is not None


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def post_appeals(url: str, token: str, connections: int, seconds: float) -> dict[str, Any]:
    """``connections`` keep-alive clients (each waits for its answer before the next request)
    for ``seconds``: commands/s, latency percentiles, answers other than 201, and wrk's CPU."""
    threads = max(1, min(connections, 2))
    env = {**os.environ, "OTKLIK_BENCH_TOKEN": token, "OTKLIK_BENCH_RUN": uuid.uuid4().hex[:8]}
    before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [
            shutil.which("wrk") or "/usr/bin/wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds:.0f}s",
            "--timeout",
            "10s",
            "-s",
            str(SCRIPT),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr.strip() or done.stdout.strip()}")
    wall = time.perf_counter() - started
    cpu = _children_cpu() - before
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK_JSON "))
    figures = json.loads(line.removeprefix("WRK_JSON "))
    return {
        "concurrency": connections,
        "commands": figures["requests"],
        "errors": figures["not_201"] + figures["socket_errors"],
        "per_second": round(figures["requests"] / figures["seconds"], 1),
        "p50_ms": round(figures["p50_us"] / 1000, 2),
        "p99_ms": round(figures["p99_us"] / 1000, 2),
        "max_ms": round(figures["max_us"] / 1000, 2),
        # the load generator's own CPU, as a share of all the machine's cores over the run
        "generator_cpu_share": round(cpu / (wall * (os.cpu_count() or 1)), 3),
    }
