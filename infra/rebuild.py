"""Rebuilds that use every core: each build of a rebuild runs in its own worker process (Python
runs one thread at a time, so one process per build is what spreads the work over the cores);
the parent follows their positions and reports progress."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait

from infra.container import Container
from infra.database import ConnectionInfo
from infra.logging import configure
from infra.settings import Settings
from projections.engine.model import Build
from projections.engine.runner import Progress


def default_processes() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def rebuild(
    container: Container,
    names: Sequence[str],
    *,
    resume: bool = True,
    processes: int = 1,
    on_progress: Callable[[Progress], None] | None = None,
) -> tuple[list[Build], Progress]:
    """Rebuild ``names`` beside the live builds and switch reads to each once it has caught up:
    in this process with one shared pass over the log when ``processes`` is 1 (or there is one
    build), else one worker process per build, at most ``processes`` at a time."""
    engine = container.engine
    if processes <= 1 or len(names) < 2:
        return engine.rebuild(names, resume=resume, on_progress=on_progress)
    builds = engine.prepare(names, resume=resume)
    started = time.perf_counter()
    start = min(engine.positions(builds).values(), default=0)
    progress = Progress(start=start, position=start, head=engine.head(), events=0, seconds=0.0)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(min(processes, len(builds)), mp_context=context) as pool:
        futures = [
            pool.submit(_run_build, container.settings, container.info, build) for build in builds
        ]
        while True:
            done, pending = wait(futures, timeout=0.5, return_when=FIRST_EXCEPTION)
            progress.position = min(engine.positions(builds).values(), default=start)
            progress.head = max(engine.head(), progress.position)
            progress.events = progress.position - start
            progress.seconds = time.perf_counter() - started
            if on_progress is not None:
                on_progress(progress)
            if not pending or any(f.exception() for f in done):
                break
        results = [f.result() for f in futures]  # re-raises a worker's HandlerFailed
    progress.seconds = time.perf_counter() - started  # wall time, worker start-up included
    progress.activated = all(r.activated for r in results)
    return builds, progress


def _run_build(settings: Settings, info: ConnectionInfo, build: Build) -> Progress:
    configure(settings.log_level, settings.log_format)
    container = Container.build(settings, info)
    try:
        return container.engine.run_build(build)
    finally:
        container.close()
