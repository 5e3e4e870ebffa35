"""The overdue and at-risk lists with 100,000 open appeals, through HTTP, beside the same server's
static health route as the ceiling, in one run. The appeals are loaded in a steady state: the
overdue ones already carry their recorded breach and escalation, as the watcher leaves them.

Run: ``make bench-sla`` (DATABASE_URL to use a server, else an embedded PostgreSQL).
Environment: BENCH_OPEN_APPEALS (default 100,000), BENCH_SECONDS (default 5) per measurement.
"""

from __future__ import annotations

import os
import platform
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

from bench.load import measure
from bench.support import fresh_database, write_results
from domain.appeals import commands as cmd
from domain.appeals.decide import decide
from domain.appeals.events import AppealEvent
from domain.appeals.state import AppealState, evolve
from domain.appeals.vocabulary import Channel, Deadline, Kind
from domain.shared.actors import Actor, Role
from infra.container import Container
from infra.demo import catalogue as cat
from infra.server_process import server_process
from infra.settings import Settings
from projections.reactors.deadlines import ESCALATE_TO, WATCHER

OPEN = int(os.environ.get("BENCH_OPEN_APPEALS", "100000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
OPERATOR = Actor(id="bench-operator", role=Role.OPERATOR, name="Оператор (нагрузка)")
DEPARTMENTS = sorted(cat.SECTOR_OF)


def load_open_appeals(container: Container, count: int) -> int:
    """``count`` appeals received, registered and assigned over the last 60 days, never answered:
    decided through the domain, appended 200 events per transaction."""
    app = container.appeals
    clock = app.policy
    rng = random.Random(2026)
    now = datetime.now(UTC)
    pending: list[AppealEvent] = []
    appended = 0
    for n in range(count):
        at = now - timedelta(minutes=rng.randrange(60 * 24 * 60))
        department = DEPARTMENTS[n % len(DEPARTMENTS)]
        state: AppealState | None = None
        steps: list[cmd.Command] = [
            cmd.ReceiveAppeal(
                kind=Kind.APPEAL,
                channel=Channel.EMAIL,
                text="Нагрузка: яма на дороге",
                occurred_at=at,
            ),
            cmd.RegisterAppeal(registration_number=f"Н-{n:06d}", occurred_at=at),
            cmd.AssignAppeal(
                department=department, sector=cat.SECTOR_OF[department], occurred_at=at
            ),
        ]
        for command in steps:
            events = decide(
                state, command, actor=OPERATOR, now=now, policy=clock, appeal_id=uuid.uuid4()
            )
            for event in events:
                state = evolve(state, event)
            pending.extend(events)
        assert state is not None
        assert state.answer_due is not None
        if state.answer_due < now:
            # Steady state: the deadline watcher has recorded the breach and the escalation
            # (else it would be busy writing tens of thousands of them during the measurement).
            events = decide(
                state,
                cmd.RecordDeadlineBreach(
                    deadline=Deadline.ANSWER, escalate_to=ESCALATE_TO[Deadline.ANSWER]
                ),
                actor=WATCHER,
                now=now,
                policy=clock,
            )
            for event in events:
                state = evolve(state, event)
            pending.extend(events)
        if len(pending) >= 200:
            app.save_events(pending)
            appended += len(pending)
            pending = []
    if pending:
        app.save_events(pending)
        appended += len(pending)
    return appended


def main() -> None:
    with fresh_database() as info:
        container = Container.build(Settings.from_env({"DATABASE_URL": info.url()}), info)
        try:
            container.seed_calendar()
            started = time.perf_counter()
            events = load_open_appeals(container, OPEN)
            print(
                f"{OPEN:,} open appeals ({events:,} events) in {time.perf_counter() - started:.0f} s"
            )
            started = time.perf_counter()
            container.engine.catch_up_all()
            print(f"projections caught up in {time.perf_counter() - started:.1f} s")
            token, _ = container.tokens.create(role=Role.CURATOR, name="bench")
        finally:
            container.close()
        department = DEPARTMENTS[0]
        paths = [
            "/health/live",
            "/api/v1/sla/overdue?limit=100",
            f"/api/v1/sla/overdue?limit=100&department={department}",
            "/api/v1/sla/at-risk?limit=100",
        ]
        rows = []
        with server_process(info, env={"OTKLIK_LOG_LEVEL": "warning"}) as url:
            auth = {"Authorization": f"Bearer {token}"}
            for path in paths:
                measure(url, path, clients=2, seconds=1, headers=auth)  # warm-up
                for clients in (1, 8):
                    row = measure(url, path, clients=clients, seconds=SECONDS, headers=auth)
                    print(row, flush=True)
                    rows.append(row)
    table = "\n".join(
        [
            f"SLA lists with {OPEN:,} open appeals ({platform.machine()}, {os.cpu_count()} cores,"
            f" {'DATABASE_URL' if os.environ.get('DATABASE_URL') else 'embedded PostgreSQL'},"
            f" {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {SECONDS:g} s each)",
            "",
            "| route | clients | requests/s | p50 ms | p99 ms | max ms | errors |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *(
                f"| `{r['path']}` | {r['clients']} | {r['per_second']:,} | {r['p50_ms']} |"
                f" {r['p99_ms']} | {r['max_ms']} | {r['errors']} |"
                for r in rows
            ),
        ]
    )
    write_results("sla", {"open_appeals": OPEN, "rows": rows}, table)
    print()
    print(table)


if __name__ == "__main__":
    main()
