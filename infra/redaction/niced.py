"""The masker in a worker process of its own at nice 19 (issue 19): what the background lane's
redaction reactor masks with. Masking is the copies' CPU-bound part (natasha's NER, 1–2.5 ms a
text) and nobody waits on it; the lane's own process, which appends the copies under the event
table's lock, keeps the normal priority, so it is never the one descheduled while holding it —
the worker that is holds nothing but a text."""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from infra.orphans import a_child_of
from infra.redaction.masker import LENIENCY, Masked, Masker

NICE = 19  # the lowest: ~1.5 % of a contended core against a process at 0

_MASKER: Masker | None = None  # the worker's own


def _start(leniency: str, parent: int) -> None:
    """The worker's start: the lowest priority before anything else runs, then its masker."""
    global _MASKER
    os.nice(NICE - os.nice(0))
    a_child_of(parent)
    _MASKER = Masker(leniency)


def _mask(text: str) -> Masked:
    assert _MASKER is not None, "started by _start"
    return _MASKER.mask(text)


class NicedMasking:
    """``mask(text)`` done by the worker (started on the first text; started again should it
    die). Thread-safe."""

    def __init__(self, leniency: str = LENIENCY) -> None:
        self.leniency = leniency
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def __call__(self, text: str) -> Masked:
        try:
            return self._started().submit(_mask, text).result()
        except BrokenProcessPool:  # the worker died (killed, out of memory): once more
            self._forget()
            return self._started().submit(_mask, text).result()

    def close(self) -> None:
        self._forget()

    def _started(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start,
                    initargs=(self.leniency, os.getpid()),
                )
            return self._pool

    def _forget(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
