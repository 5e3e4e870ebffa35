"""What sealing personal data costs (issue 18): in-process commands per second (an appeal received
with the citizen's contact and text: a data key made and two fields sealed) and a rebuild's events
per second (the appeals view over demo histories whose texts, comments and contacts are sealed),
with the keyring off and on, in one run, each on a fresh database of its own.

Run: ``make bench-encryption`` (DATABASE_URL to use a server, else an embedded PostgreSQL).
Environment: BENCH_SECONDS (default 5) per command measurement, BENCH_APPEALS (default 3000)
demo appeals in the rebuilt log. The switch is the benchmark's, not a setting: a deployment always
seals.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

from bench.support import fresh_database, write_results
from domain.appeals import commands as cmd
from domain.appeals.vocabulary import Channel, Kind
from domain.shared.actors import Actor, Role
from infra.container import Container
from infra.database import ConnectionInfo
from infra.demo.directory import load_demo_directory
from infra.demo.synthetic import template
from infra.privacy.wiring import install
from infra.settings import Settings

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
APPEALS = int(os.environ.get("BENCH_APPEALS", "3000"))
OPERATOR = Actor(id="bench", role=Role.OPERATOR, name="Бенчмарк")
# a fixed key: the benchmark's databases are dropped at the end
BENCH_KEY = "YmVuY2gtbWFzdGVyLWtleS0zMi1ieXRlcy1sb25nISE="


def receive(n: int) -> cmd.ReceiveAppeal:
    phone = f"+7 9{n % 10**9:09d}"
    return cmd.ReceiveAppeal(
        kind=Kind.APPEAL,
        channel=Channel.EMAIL,
        text=f"Прошу убрать мусор у дома {n}. Иванов Иван, тел. {phone}",
        citizen=cmd.CitizenContactInput(full_name="Иванов Иван Иванович", phone=phone),
    )


def commands(container: Container) -> dict[str, Any]:
    """Appeals received one after another, in-process (the handler and the event store)."""
    done, n = 0, 0
    stop = time.monotonic() + SECONDS
    started = time.perf_counter()
    while time.monotonic() < stop:
        container.appeals.receive(receive(n), actor=OPERATOR, idempotency=None)
        done, n = done + 1, n + 1
    took = time.perf_counter() - started
    return {"commands": done, "per_second": done / took}


def rebuild(container: Container) -> dict[str, Any]:
    """The demo's histories stored (sealed when the keyring is on), then the appeals view
    rebuilt from scratch over the whole log."""
    app = container.appeals
    stored = template(app, APPEALS, now=datetime.now(UTC), seed=2026)
    for start in range(0, len(stored), 200):
        app.recorder.insert_events(stored[start : start + 200])
    container.engine.catch_up_all()
    if container.keyring is not None:
        container.keyring.clear()  # a rebuild after a restart: no key cached yet
    started = time.perf_counter()
    container.engine.rebuild(["appeals"], resume=False)
    took = time.perf_counter() - started
    events = container.engine.head()
    return {"events": events, "seconds": round(took, 3), "per_second": events / took}


def measure(info: ConnectionInfo, sealed: bool) -> dict[str, Any]:
    data = tempfile.mkdtemp(prefix="otklik-bench-data-")
    settings = Settings.from_env(
        {
            "DATABASE_URL": info.url(),
            "OTKLIK_LOG_LEVEL": "warning",
            "OTKLIK_DATA_DIR": data,
            "OTKLIK_MASTER_KEY": BENCH_KEY,
        }
    )
    container = Container.build(settings, info)
    try:
        container.seed_calendar()
        load_demo_directory(container)
        if not sealed:
            install(container.appeals, None)  # the baseline: personal fields in clear
        commands(container)  # warm-up (connections, prepared statements)
        return {"sealed": sealed, "commands": commands(container), "rebuild": rebuild(container)}
    finally:
        container.close()


def main() -> None:
    rows = []
    for sealed in (False, True):
        with fresh_database() as info:
            rows.append(measure(info, sealed))
    off, on = rows
    table = "\n".join(
        [
            "| keyring | commands/s (in-process, 1 thread) | rebuild events/s (appeals view) |",
            "|---|---|---|",
            *(
                f"| {'on' if r['sealed'] else 'off'} | {r['commands']['per_second']:,.0f} | "
                f"{r['rebuild']['per_second']:,.0f} ({r['rebuild']['events']:,} events) |"
                for r in rows
            ),
        ]
    )
    ratio_commands = on["commands"]["per_second"] / off["commands"]["per_second"]
    ratio_rebuild = on["rebuild"]["per_second"] / off["rebuild"]["per_second"]
    summary = (
        f"\nSealed/clear: commands {ratio_commands:.2f}, rebuild {ratio_rebuild:.2f} "
        f"({SECONDS:.0f} s of commands, {APPEALS} demo appeals; {platform.node()},"
        f" {os.cpu_count()} cores; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)"
    )
    print(table + summary)
    write_results("encryption", {"runs": rows}, table + summary)


if __name__ == "__main__":
    main()
