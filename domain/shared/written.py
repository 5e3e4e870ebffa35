"""What the current request has written to the log, so that an error after a commit can say so.

The API binds a fresh record to each request; the event store adds the position of every append
it commits. A sync handler runs in a worker thread with a copy of the request's context: the copy
refers to the same record, so what the thread writes is seen by the error handler afterwards."""

from __future__ import annotations

from contextvars import ContextVar


class Written:
    __slots__ = ("positions",)

    def __init__(self) -> None:
        self.positions: list[int] = []

    @property
    def last(self) -> int | None:
        return self.positions[-1] if self.positions else None


_CURRENT: ContextVar[Written | None] = ContextVar("otklik_written", default=None)


def begin() -> Written:
    """A fresh record for the request starting now."""
    record = Written()
    _CURRENT.set(record)
    return record


def appended(position: int) -> None:
    """The event store committed events up to ``position``."""
    record = _CURRENT.get()
    if record is not None:
        record.positions.append(position)


def current() -> Written | None:
    return _CURRENT.get()
