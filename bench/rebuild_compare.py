"""Rebuild speed of an earlier checkout and of this one, alternated on the log ``make
bench-projections`` keeps, in one run (the machine is shared: alternating spreads its noise over
both). Each rebuild of appeals + department_days runs in a fresh process of its tree.

Run: ``BENCH_BEFORE_TREE=<dir> python -m bench.rebuild_compare`` (``git archive <commit> | tar -x
-C <dir>``); ``BENCH_ROUNDS`` (default 3) pairs. Writes ``bench/results/rebuild_compare.*``.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.support import same_keys, write_results

_ONE_REBUILD = """
import json
import os
from bench.projections import DBNAME, EVENTS, engine_rebuild
from bench.support import kept_database
from infra.container import Container
from infra.settings import Settings
with kept_database(DBNAME, EVENTS) as info:
    settings = Settings.from_env({**os.environ, "DATABASE_URL": info.url()})
    container = Container.build(settings, info)
    try:
        container.engine.ensure()
        print(json.dumps(engine_rebuild(container, ["appeals", "department_days"])))
    finally:
        container.close()
"""


def one_rebuild(tree: Path | None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _ONE_REBUILD],
        cwd=tree,
        env=same_keys({**os.environ, "OTKLIK_LOG_LEVEL": "warning"}),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["load"] = round(os.getloadavg()[0], 1)
    return figures


def main() -> None:
    before = os.environ.get("BENCH_BEFORE_TREE")
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    trees = ([("before", Path(before))] if before else []) + [("now", None)]
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in trees}
    for _ in range(rounds):
        for label, tree in trees:
            figures = one_rebuild(tree)
            runs[label].append(figures)
            print(f"{label}: {figures}", flush=True)
    medians = {
        label: statistics.median(r["events_per_second"] for r in measured)
        for label, measured in runs.items()
    }
    payload = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "before_tree": before,
        "runs": runs,
        "median_events_per_second": medians,
    }
    lines = [
        f"Rebuild of appeals + department_days, {payload['machine']}, {payload['date']}",
        "",
        "| tree | events/s, each run | median |",
        "|---|---|---:|",
    ]
    for label, measured in runs.items():
        each = ", ".join(f"{r['events_per_second']:,}" for r in measured)
        lines.append(f"| {label} | {each} | {medians[label]:,.0f} |")
    if "before" in medians:
        lines += ["", f"Ratio now/before: {medians['now'] / medians['before']:.2f}"]
    write_results("rebuild_compare", payload, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
