"""Live lag of the projection worker of an earlier checkout and of this one, in one run, on the
log ``make bench-projections`` keeps (its commands are written by this checkout's event store).

Run: ``BENCH_BEFORE_TREE=<dir> python -m bench.lag_compare`` (``git archive <commit> | tar -x -C
<dir>``); BENCH_LAG_RATE, BENCH_LAG_SECONDS as for ``bench.projections``.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.projections import DBNAME, EVENTS, LAG_RATE, live_lag
from bench.support import kept_database, write_results
from infra.container import Container
from infra.settings import Settings


def main() -> None:
    before = os.environ.get("BENCH_BEFORE_TREE")
    with kept_database(DBNAME, EVENTS) as info:
        settings = Settings.from_env({"DATABASE_URL": info.url(), "OTKLIK_LOG_LEVEL": "warning"})
        container = Container.build(settings, info)
        lines = []
        results: dict[str, Any] = {}
        try:
            runs = [("before", Path(before))] if before else []
            for label, tree in [*runs, ("now", None)]:
                lag = live_lag(info, container, tree)
                load = round(os.getloadavg()[0], 1)
                results[label] = {**lag, "load": load}
                lines.append(
                    f"{label}: {lag['achieved_rate']} commands/s (target {LAG_RATE:.0f}),"
                    f" lag p50 {lag['p50_ms']} ms, p99 {lag['p99_ms']} ms, max {lag['max_ms']} ms;"
                    f" load {load}"
                )
                print(lines[-1], flush=True)
        finally:
            container.close()
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    payload = {"date": stamp, "before_tree": before, "runs": results}
    header = f"Live lag, worker of each checkout on the kept log, {stamp} (before: {before})"
    write_results("lag_compare", payload, "\n".join([header, "", *lines]))


if __name__ == "__main__":
    main()
