"""Live lag of the projection worker of an earlier checkout and of this one, in one run, on the
log ``make bench-projections`` keeps (its commands are written by this checkout's event store).

Run: ``BENCH_BEFORE_TREE=<dir> python -m bench.lag_compare`` (``git archive <commit> | tar -x -C
<dir>``); BENCH_LAG_RATE, BENCH_LAG_SECONDS as for ``bench.projections``.
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.projections import DBNAME, EVENTS, LAG_RATE, live_lag
from bench.support import kept_database
from infra.container import Container
from infra.settings import Settings


def main() -> None:
    before = os.environ.get("BENCH_BEFORE_TREE")
    with kept_database(DBNAME, EVENTS) as info:
        settings = Settings.from_env({"DATABASE_URL": info.url(), "OTKLIK_LOG_LEVEL": "warning"})
        container = Container.build(settings, info)
        try:
            runs = [("before", Path(before))] if before else []
            for label, tree in [*runs, ("now", None)]:
                lag = live_lag(info, container, tree)
                print(
                    f"{label}: {lag['achieved_rate']} commands/s (target {LAG_RATE:.0f}),"
                    f" lag p50 {lag['p50_ms']} ms, p99 {lag['p99_ms']} ms, max {lag['max_ms']} ms;"
                    f" load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
        finally:
            container.close()


if __name__ == "__main__":
    main()
