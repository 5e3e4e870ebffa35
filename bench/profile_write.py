"""Where a command's time goes under load: ``otklik serve`` (the default: projections and the
watcher live) under wrk's POSTs, each of its processes sampled by py-spy (wall time, idle threads
left out), and PostgreSQL's sessions sampled for what they wait on.

Run: ``python -m bench.profile_write`` (needs ``wrk`` and ``py-spy`` on the PATH or in the venv).
Environment: BENCH_SECONDS (default 15), BENCH_CLIENTS (default 16), OTKLIK_WORKERS and the other
settings of the server as for ``otklik serve``.
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg

from bench.support import fresh_database
from bench.wrk_load import post_appeals
from domain.shared.actors import Role
from infra.container import Container
from infra.server_process import server_process
from infra.settings import Settings

SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))

# (category, substrings of a stack, any of which puts a sample there); the first match wins
LANES = ("foreground", "background")  # the projections' processes, in the order serve starts them

REQUEST_STEPS = [
    ("auth: token lookup", ["authenticate (infra/tokens.py"]),
    ("command: idempotency check", ["_replay (domain/shared/handler.py"]),
    ("command: encode events", ["to_stored_event", "event_codec.py"]),
    ("command: insert + commit (under the table lock)", ["insert_events (", "_insert_events"]),
    ("command: registration / directory", ["_complete (domain/appeals/application.py"]),
    ("command: decide", ["decide (domain/"]),
    ("command: other", ["_receive (api/controllers/appeals.py"]),
    ("request: litestar parse + validate", ["litestar/_kwargs", "_get_request_data", "decode_"]),
    ("request: response + middleware + log", ["litestar/", "structlog", "api/app.py"]),
    ("granian / asyncio", ["granian", "asyncio"]),
]
BACKGROUND_STEPS = [
    ("live builds: wait for NOTIFY", ["notifies (psycopg"]),
    ("live builds: read log", ["read (projections/engine/eventlog.py"]),
    ("live builds: decode", ["decoded (projections/engine/eventlog.py"]),
    ("live builds: claim (row lock)", ["claim (projections/engine/tracking.py"]),
    ("live builds: advance + notify", ["advance (projections/engine/tracking.py"]),
    ("live builds: apply views", ["apply (projections/"]),
    ("reactors: react", ["react (projections/", "_react (projections"]),
    ("live builds: commit / connection", ["commit (projections/engine", "_commit_gen", "getconn"]),
    ("reactors: timers", ["tick (projections/"]),
]
IDLE = ["wait (threading.py", "_worker (concurrent/futures", "select (selectors.py", "sleep"]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            found.append(int(entry.name))
    return found


def _server_pids(port: int) -> dict[str, int]:
    """The serve process's children: granian's workers, and the projections' two lanes (spawned
    in this order: the foreground, then the background, whose child masks the texts)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with open(entry / "cmdline", "rb") as f:
            args = f.read().split(b"\0")
        if b"serve" in args and str(port).encode() in args:
            pids: dict[str, int] = {}
            lanes = iter(LANES)
            for child in sorted(_children(int(entry.name))):
                cmd = (Path("/proc") / str(child) / "cmdline").read_bytes()
                if b"resource_tracker" in cmd:
                    continue
                if b"multiprocessing" not in cmd:
                    pids[f"worker-{child}"] = child
                    continue
                pids[next(lanes, f"lane-{child}")] = child
                for grandchild in _children(child):
                    pids[f"masking-{grandchild}"] = grandchild
            pids["serve"] = int(entry.name)
            return pids
    raise RuntimeError("no serve process found")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (0 when it is gone)."""
    try:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backends(conn: psycopg.Connection[Any], dbname: str) -> list[int]:
    rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (dbname,))
    return [int(r[0]) for r in rows.fetchall()]


def _py_spy() -> str:
    local = Path(sys.executable).parent / "py-spy"
    return str(local) if local.exists() else (shutil.which("py-spy") or "py-spy")


def _summarise(raw: Path, steps: list[tuple[str, list[str]]]) -> dict[str, float]:
    counts: collections.Counter[str] = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        category = next((c for c, keys in steps if any(k in stack for k in keys)), None)
        if category is None:
            leaf = stack.rsplit(";", 1)[-1]
            category = "idle" if any(k in leaf for k in IDLE) else "other"
        counts[category] += int(n)
    busy = sum(v for k, v in counts.items() if k not in ("idle", "live builds: wait for NOTIFY"))
    return {k: round(100 * v / max(busy, 1), 1) for k, v in counts.most_common()}


def _sample_waits(conninfo: str, dbname: str, stop: threading.Event) -> collections.Counter[str]:
    seen: collections.Counter[str] = collections.Counter()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        while not stop.wait(0.02):
            for state, kind, event, query in conn.execute(
                "SELECT state, wait_event_type, wait_event, left(query, 40) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid() AND state <> 'idle'",
                (dbname,),
            ):
                seen[f"{state} | {kind or 'CPU'}:{event or '-'} | {query}"] += 1
    return seen


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="otklik-profile-"))
    with fresh_database() as info:
        container = Container.build(Settings.from_env({"DATABASE_URL": info.url()}), info)
        token, _ = container.tokens.create(role=Role.OPERATOR, name="bench")
        container.close()
        env = {
            "OTKLIK_LOG_LEVEL": "warning",
            "OTKLIK_POOL_SIZE": "10",
            "OTKLIK_WORKERS": os.environ.get("OTKLIK_WORKERS", str(os.cpu_count() or 1)),
        }
        admin = psycopg.connect(info.conninfo, autocommit=True)  # before the server's own
        with admin, server_process(info, env=env) as url:
            post_appeals(url, token, 4, 3)  # warm-up
            pids = _server_pids(int(urlsplit(url).port or 0))
            spies = {
                name: subprocess.Popen(
                    [
                        *(_py_spy(), "record", "--idle", "--nonblocking", "-r", "200"),
                        *("-f", "raw", "-d", f"{SECONDS:.0f}", "-p", str(pid)),
                        *("-o", str(folder / name)),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for name, pid in pids.items()
                if name != "serve"
            }
            stop = threading.Event()
            waits: list[collections.Counter[str]] = []
            sampler = threading.Thread(
                target=lambda: waits.append(_sample_waits(info.conninfo, info.dbname, stop))
            )
            sampler.start()
            backends = _backends(admin, info.dbname)
            cpu_before = {name: _cpu_seconds(pid) for name, pid in pids.items()}
            pg_before = sum(_cpu_seconds(pid) for pid in backends)
            started = time.perf_counter()
            figures = post_appeals(url, token, CLIENTS, SECONDS)
            wall = time.perf_counter() - started
            cpu = {name: _cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
            joined = set(_backends(admin, info.dbname)) - set(backends)  # all in the run
            cpu["postgres (this database's sessions)"] = (
                sum(_cpu_seconds(pid) for pid in [*backends, *joined]) - pg_before
            )
            stop.set()
            sampler.join()
            for spy in spies.values():
                spy.wait(60)
    print(f"load: {figures}")
    print("CPU over the run, in cores (2 = the whole machine; py-spy's own sampling included):")
    for name, seconds in cpu.items():
        print(f"  {seconds / wall:5.2f}  {name}")
    print(f"  {figures['generator_cpu_share'] * (os.cpu_count() or 1):5.2f}  wrk")
    report: dict[str, Any] = {}
    for name in spies:
        steps = BACKGROUND_STEPS if name in LANES else REQUEST_STEPS
        if (folder / name).exists():
            report[name] = _summarise(folder / name, steps)
            print(f"\n{name} (share of busy samples, %):")
            for category, share in report[name].items():
                print(f"  {share:5.1f}  {category}")
    total = sum(waits[0].values()) if waits else 0
    print("\nPostgreSQL sessions, share of non-idle samples (state | wait | query):")
    for key, n in waits[0].most_common(15) if waits else []:
        print(f"  {100 * n / max(total, 1):5.1f}  {key}")
    print(f"\nraw stacks in {folder}; {time.strftime('%H:%M:%S')}; load {os.getloadavg()}")


if __name__ == "__main__":
    main()
