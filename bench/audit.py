"""Audit: verifying the hash chain over a 1,000,000-event log, beside the bare read of the same
rows (the ceiling) and a typical verifier that hashes each event's canonical JSON (the
baseline), all in one run; the export and its offline verification; building the ledger; and the
history route for an appeal of 30 events through HTTP, beside the server's health route.

Run: ``make bench-audit`` (DATABASE_URL to use a server, else an embedded PostgreSQL; the log is
kept between runs in the database ``otklik_bench_audit``).
Environment: BENCH_EVENTS (default 1,000,000), BENCH_SECONDS (default 5) per HTTP measurement.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from bench.load import measure
from bench.support import generate_log, kept_database, write_results
from domain.shared.actors import Actor, Role
from infra.audit.export import export
from infra.audit.snapshot import log_rows, snapshot
from infra.audit.verification import verify_database, verify_file
from infra.container import Container
from infra.database import ConnectionInfo
from infra.demo.directory import load_demo_directory
from infra.demo.synthetic import LONG_LIFE_RECEIPT, long_life
from infra.server_process import server_process
from infra.settings import Settings
from projections.engine.model import Build

EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
DBNAME = "otklik_bench_audit"
NOW = datetime(2026, 11, 1, tzinfo=UTC)
CURATOR = Actor(id="bench-curator", role=Role.CURATOR, name="Куратор (нагрузка)")


def timed(label: str, events: int, work: Any) -> dict[str, Any]:
    started = time.perf_counter()
    result = work()
    took = time.perf_counter() - started
    row = {
        "what": label,
        "events": events,
        "seconds": round(took, 2),
        "events_per_second": round(events / took),
    }
    print(row, flush=True)
    return {**row, "result": result}


def bare_read(info: ConnectionInfo) -> int:
    """The ceiling: the same rows through the same COPY stream, nothing computed."""
    n = 0
    with snapshot(info.conninfo) as snap:
        for _ in log_rows(snap.main):
            n += 1
    return n


def json_verifier(info: ConnectionInfo) -> str:
    """The baseline: what a verifier commonly does — parse each event, re-encode it as
    canonical JSON (sorted keys) with its envelope, hash that, chain the hashes (same rows, same
    COPY stream)."""
    chain = bytes(32)
    with snapshot(info.conninfo) as snap:
        for position, originator, version, topic, state in log_rows(snap.main):
            canonical = json.dumps(
                {
                    "position": position,
                    "aggregate_id": str(UUID(bytes=originator)),
                    "version": version,
                    "topic": topic.decode(),
                    "payload": json.loads(state),
                },
                sort_keys=True,
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode()
            chain = hashlib.sha256(chain + hashlib.sha256(canonical).digest()).digest()
    return chain.hex()


def long_appeal(container: Container) -> UUID:
    app = container.appeals
    appeal_id = app.receive(LONG_LIFE_RECEIPT, actor=CURATOR, idempotency=None).state.id
    for command in long_life():
        app.handle(appeal_id, command, actor=CURATOR)
    return appeal_id


def main() -> None:
    with kept_database(DBNAME, EVENTS) as info:
        container = Container.build(Settings.from_env({"DATABASE_URL": info.url()}), info)
        try:
            container.seed_calendar()
            load_demo_directory(container)  # the units and topics its commands name
            generate_log(container, EVENTS, NOW)
            appeal_id = long_appeal(container)
            events = container.engine.head()
            started = time.perf_counter()
            container.engine.rebuild(["audit_ledger", "personal_data_reads"], resume=False)
            ledger_seconds = time.perf_counter() - started
            for status in container.engine.status():  # keep the database small
                if status.state == "retired":
                    container.engine.drop(Build(status.name, status.version, status.generation))
            token, _ = container.tokens.create(role=Role.AUDITOR, name="bench")
        finally:
            container.close()
        ledger: dict[str, Any] = {
            "what": "build the audit ledger (rebuild, one process)",
            "events": events,
            "seconds": round(ledger_seconds, 2),
            "events_per_second": round(events / ledger_seconds),
        }
        print(ledger, flush=True)
        rows: list[dict[str, Any]] = [ledger]
        rows.append(
            timed("read the log, nothing computed (ceiling)", events, lambda: bare_read(info))
        )
        ours = timed(
            "otklik audit verify (database)", events, lambda: verify_database(info.conninfo)
        )
        report = ours["result"].report
        assert report.ok, report.findings[:3]
        rows.append(ours)
        rows.append(timed("baseline: canonical-JSON verifier", events, lambda: json_verifier(info)))
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "export.jsonl.gz"
            exported = timed("otklik audit export", events, lambda: export(info.conninfo, target))
            exported["bytes"] = target.stat().st_size
            rows.append(exported)
            checked = timed("otklik audit verify --file", events, lambda: verify_file(target))
            assert checked["result"].report.ok
            rows.append(checked)
        http = []
        auditor = {"Authorization": f"Bearer {token}"}
        # the history route needs no read model: the server runs none (with 1 M events, building
        # the others in its background process would be measured instead)
        quiet = {"OTKLIK_LOG_LEVEL": "warning", "OTKLIK_PROJECTIONS_IN_PROCESS": "false"}
        with server_process(info, env=quiet) as url:
            paths = [
                "/health/live",
                f"/api/v1/appeals/{appeal_id}/history",
                f"/api/v1/appeals/{appeal_id}",
            ]
            for path in paths:
                measure(url, path, clients=2, seconds=1, headers=auditor)  # warm-up
                for clients in (1, 8):
                    row = measure(url, path, clients=clients, seconds=SECONDS, headers=auditor)
                    print(row, flush=True)
                    http.append(row)
    ceiling = rows[1]["events_per_second"]
    mine = rows[2]["events_per_second"]
    baseline = rows[3]["events_per_second"]
    table = "\n".join(
        [
            f"Audit over {events:,} events ({platform.machine()}, {os.cpu_count()} cores,"
            f" {'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'embedded PostgreSQL'},"
            f" {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
            "",
            "| what | events | seconds | events/s |",
            "|---|---:|---:|---:|",
            *(
                f"| {r['what']} | {r['events']:,} | {r['seconds']} | {r['events_per_second']:,} |"
                for r in rows
            ),
            "",
            f"Verification: {mine:,} events/s = {mine / baseline:.1f}× the canonical-JSON baseline,"
            f" {mine / ceiling:.0%} of the bare read; target 200,000 events/s."
            f" Export: {rows[4]['bytes']:,} bytes gzip.",
            "",
            "| route (appeal of 30 events) | clients | requests/s | p50 ms | p99 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|",
            *(
                f"| `{r['path'].replace(str(appeal_id), '{id}')}` | {r['clients']} |"
                f" {r['per_second']:,} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} |"
                for r in http
            ),
        ]
    )
    results = [{k: v for k, v in r.items() if k != "result"} for r in rows]
    write_results("audit", {"events": events, "rows": results, "http": http}, table)
    print()
    print(table)


if __name__ == "__main__":
    main()
