"""`otklik serve` in a child process, ready when /health/ready says so (for tests and benchmarks)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx

from infra.database import ConnectionInfo


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server_process(
    info: ConnectionInfo,
    *,
    log: Path | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Iterator[str]:
    """Start the API on a free port against ``info`` (already migrated); yield its base URL.
    ``cwd``: another checkout of the project to serve (a benchmark's "before")."""
    port = free_port()
    # One worker unless asked: a test reads its own writes through the per-process caches (the
    # directory's, the rubricator's), which a sibling worker refreshes only seconds later.
    environment = {
        **os.environ,
        "OTKLIK_WORKERS": "1",
        "DATABASE_URL": info.url(),
        **(env or {}),
    }
    with contextlib.ExitStack() as stack:
        out: IO[bytes] | int = (
            stack.enter_context(log.open("wb")) if log is not None else subprocess.DEVNULL
        )
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "infra.cli", "serve", "--port", str(port), "--no-migrate"],
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start; see its log")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
