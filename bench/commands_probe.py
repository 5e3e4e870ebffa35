"""The commands benchmark's probes: a reader tailing the log while the load runs (gap-free order:
it must skip nothing), and how long the live views take to reach the head once the load stops."""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg

from infra.database import ConnectionInfo

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
    """Reads the log forward from its head, as a projection does, until the block ends; then
    counts the events it passed over (in the log below its last position, never seen)."""

    def __init__(self, info: ConnectionInfo) -> None:
        self.info = info
        self.seen = 0
        self.skipped = 0
        self._positions: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tail, daemon=True)
        self._start = 0

    def __enter__(self) -> LogTail:
        with psycopg.connect(self.info.conninfo) as conn:
            row = conn.execute("SELECT coalesce(max(notification_id), 0) FROM otklik_events")
            found = row.fetchone()
        self._start = int(found[0]) if found else 0
        self._thread.start()
        return self

    def _tail(self) -> None:
        last = self._start
        with psycopg.connect(self.info.conninfo, autocommit=True) as conn:
            while not self._stop.is_set():
                rows = conn.execute(_AFTER, (last,)).fetchall()
                for (position,) in rows:
                    self._positions.append(int(position))
                    last = int(position)
                if not rows:
                    time.sleep(0.001)

    def __exit__(self, *exc: tuple[type[BaseException] | None, BaseException | None, Any]) -> None:
        self._stop.set()
        self._thread.join(30)
        if not self._positions:
            return
        with psycopg.connect(self.info.conninfo) as conn:
            logged = conn.execute(
                "SELECT notification_id FROM otklik_events WHERE notification_id > %s"
                " AND notification_id <= %s",
                (self._start, self._positions[-1]),
            ).fetchall()
        self.seen = len(self._positions)
        self.skipped = len({int(r[0]) for r in logged} - set(self._positions))


def catch_up_seconds(info: ConnectionInfo, timeout: float) -> float | None:
    """Seconds until every active view's build is at the log's head (None: not within
    ``timeout``); reactors are not views and are left out."""
    started = time.perf_counter()
    with psycopg.connect(info.conninfo, autocommit=True) as conn:
        head_row = conn.execute("SELECT coalesce(max(notification_id), 0) FROM otklik_events")
        found = head_row.fetchone()
        head = int(found[0]) if found else 0
        while time.perf_counter() - started < timeout:
            row = conn.execute(
                "SELECT min(position) FROM projection_builds WHERE active AND name = ANY(%s)",
                (list(VIEWS),),
            ).fetchone()
            if row and row[0] is not None and int(row[0]) >= head:
                return round(time.perf_counter() - started, 2)
            time.sleep(0.01)
    return None
