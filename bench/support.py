"""Shared by the benchmarks: a fresh database, a real server, latency statistics, results files."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from infra import database
from infra.database import ConnectionInfo, EmbeddedPostgres

RESULTS = Path(__file__).resolve().parent / "results"


@contextlib.contextmanager
def fresh_database() -> Iterator[ConnectionInfo]:
    """A migrated database of its own, on DATABASE_URL's server or an embedded one."""
    url = os.environ.get("DATABASE_URL")
    folder: Path | None = None
    embedded: EmbeddedPostgres | None = None
    if url:
        server = ConnectionInfo.parse(url)
    else:
        folder = Path(tempfile.mkdtemp(prefix="otklik-bench-pg-"))
        embedded = EmbeddedPostgres(folder)
        server = embedded.info
    name = f"otklik_bench_{uuid.uuid4().hex[:10]}"
    info = database.create_database(server, name)
    database.upgrade(info)
    try:
        yield info
    finally:
        database.drop_database(server, name)
        if embedded is not None:
            embedded.stop()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def write_results(name: str, payload: dict[str, Any], table: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / f"{name}.md").write_text(table + "\n")
