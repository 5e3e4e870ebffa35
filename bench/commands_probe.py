"""The commands benchmark's probes: a reader tailing the log while the load runs (gap-free order:
it must skip nothing), and how long the live views take to reach the head once the load stops."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

import psycopg

from infra.database import ConnectionInfo

T = TypeVar("T")

_AFTER = (
    "SELECT notification_id FROM otklik_events WHERE notification_id > %s"
    " ORDER BY notification_id LIMIT 1000"
)


# the read models `otklik serve` keeps (infra.engine_wiring), not its reactors
VIEWS = (
    "appeals",
    "department_days",
    "sla",
    "audit_ledger",
    "personal_data_reads",
    "claims",
    "outbox_messages",
    "mcu_sessions",
)


class LogTail:
    """Reads the log forward from its head, as a projection does, while a load runs (``run``);
    then counts the events it passed over (in the log below its last position, never seen).
    Its two connections are opened first, before the server under load takes its own."""

    def __init__(self, info: ConnectionInfo) -> None:
        self.reader = psycopg.connect(info.conninfo, autocommit=True)
        self.checker = psycopg.connect(info.conninfo, autocommit=True)

    def close(self) -> None:
        self.reader.close()
        self.checker.close()

    def run(self, load: Callable[[], T]) -> tuple[T, int, int]:
        """``load()``'s result, the events the reader saw and those it skipped."""
        start = self._head()
        positions: list[int] = []
        stop = threading.Event()

        def tail() -> None:
            last = start
            while not stop.is_set():
                rows = self.reader.execute(_AFTER, (last,)).fetchall()
                for (position,) in rows:
                    positions.append(int(position))
                    last = int(position)
                if not rows:
                    time.sleep(0.001)

        thread = threading.Thread(target=tail, daemon=True)
        thread.start()
        try:
            result = load()
        finally:
            stop.set()
            thread.join(30)
        if not positions:
            return result, 0, 0
        logged = self.checker.execute(
            "SELECT notification_id FROM otklik_events WHERE notification_id > %s"
            " AND notification_id <= %s",
            (start, positions[-1]),
        ).fetchall()
        return result, len(positions), len({int(r[0]) for r in logged} - set(positions))

    def _head(self) -> int:
        row = self.checker.execute("SELECT coalesce(max(notification_id), 0) FROM otklik_events")
        found = row.fetchone()
        return int(found[0]) if found else 0

    def settle(self, timeout: float = 120.0) -> None:
        """Until every running build (the background lane's included: it loads the masker's
        model at start) has reached the head of the log; a warning if not within ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = self.checker.execute(
                "SELECT min(position) FROM projection_builds WHERE state IN ('building', 'live')"
            ).fetchone()
            if row and row[0] is not None and int(row[0]) >= self._head():
                return
            time.sleep(0.2)
        print(f"warning: the builds did not reach the head within {timeout:.0f} s", flush=True)

    def caught_up_seconds(self, timeout: float) -> float | None:
        """Seconds until every active view's build is at the log's head (None: not within
        ``timeout``); reactors are not views and are left out."""
        started = time.perf_counter()
        head = self._head()
        while time.perf_counter() - started < timeout:
            row = self.checker.execute(
                "SELECT min(position) FROM projection_builds WHERE active AND name = ANY(%s)",
                (list(VIEWS),),
            ).fetchone()
            if row and row[0] is not None and int(row[0]) >= head:
                return round(time.perf_counter() - started, 2)
            time.sleep(0.01)
        return None
