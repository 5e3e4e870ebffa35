"""The digests of every event in a snapshot, in position order: computed here for a small log, by
worker processes over ranges of positions for a large one (``digest_worker``)."""

from __future__ import annotations

import contextlib
import multiprocessing
from array import array
from collections.abc import Iterator, Sequence
from queue import Empty
from typing import Any

from domain.audit.verify import digested
from infra.audit.digest_worker import digest_part, join
from infra.audit.snapshot import Snapshot, log_rows

# below this many events the digests are computed in this process (no start-up cost)
PARALLEL_FROM = 200_000


def _batches(queue: Any, process: Any) -> Iterator[tuple[bytes, bytes]]:
    while True:
        try:
            batch = queue.get(timeout=1.0)
        except Empty:
            if process.exitcode is not None and queue.empty():
                raise RuntimeError(f"a digest worker died (exit code {process.exitcode})") from None
            continue
        if batch is None:
            return
        yield batch


def _gathered(queues: Sequence[Any], processes: Sequence[Any]) -> Iterator[tuple[int, bytes]]:
    """The workers' digests, part after part: in position order."""
    for queue, process in zip(queues, processes, strict=True):
        for batch in _batches(queue, process):
            positions = array("q")
            positions.frombytes(batch[0])
            blob = batch[1]
            digests = [blob[i : i + 32] for i in range(0, len(blob), 32)]
            yield from zip(positions, digests, strict=True)


@contextlib.contextmanager
def log_digests(
    snap: Snapshot, workers: int, *, parallel_from: int = PARALLEL_FROM
) -> Iterator[Iterator[tuple[int, bytes]]]:
    """(position, digest) of every event in the snapshot, in position order. A large log is
    split between ``workers`` processes by ranges of positions (SHA-256 over the stored bytes
    is the cost; the chain itself stays sequential, in this process)."""
    bounds = snap.main.execute(
        "SELECT coalesce(min(notification_id), 0), coalesce(max(notification_id), 0),"
        " count(*) FROM otklik_events"
    ).fetchone()
    assert bounds is not None
    low, high, total = (int(b) for b in bounds)
    if workers <= 1 or total < parallel_from:
        conn = join(snap.conninfo, snap.id)
        try:
            yield digested(log_rows(conn))
        finally:
            conn.close()
        return
    step = (high - low) // workers + 1
    parts = [(low + i * step, low + (i + 1) * step - 1) for i in range(workers)]
    context = multiprocessing.get_context("spawn")
    queues = [context.Queue(maxsize=64) for _ in range(workers)]
    processes = [
        context.Process(
            target=digest_part,
            args=(snap.conninfo, snap.id, lo, hi, queue),
            daemon=True,
        )
        for (lo, hi), queue in zip(parts, queues, strict=True)
    ]
    for process in processes:
        process.start()
    try:
        yield _gathered(queues, processes)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join(5)
