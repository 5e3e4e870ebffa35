"""Metrics across `otklik serve`'s processes: prometheus_client's multiprocess mode.

The API workers (forked by granian) and the projections' process (spawned) each count what they
do; with a shared directory, a scrape of any worker adds them up. prometheus_client picks its
value store when first imported, which in the parent is before `serve` runs, so the store is
switched here, before any labelled metric has created a value (they do so on first use)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from prometheus_client import values

MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def share_metrics(data_dir: Path) -> Path:
    """Point this process and its children at a fresh metrics directory under ``data_dir``."""
    folder = data_dir / f"metrics-{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ[MULTIPROC_VARIABLE] = str(folder)
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
    return folder
