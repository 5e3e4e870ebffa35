"""A child process that goes when its parent goes: a spawned worker whose parent was killed
(SIGKILL, the out-of-memory killer) would otherwise live on, holding its locks and its CPU."""

from __future__ import annotations

import os
import signal
import threading
import time

import structlog

log = structlog.get_logger("otklik.processes")


def exit_with_parent(parent: int) -> None:
    """Start a thread that ends this process once ``parent`` is no longer its parent."""
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="parent-watch").start()


def a_child_of(parent: int) -> None:
    """This spawned process as its parent's: Ctrl-C is the parent's to handle (it stops its
    children), and the process goes when the parent goes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent(parent)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    log.warning("process.orphaned")  # the parent was killed: this process goes too
    os._exit(0)
