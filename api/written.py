"""The log position the current request has written up to, so that an error after a commit can
say so.

The API begins a fresh record for each request; the event store notes the position of every
append it commits. A sync handler runs in a worker thread with a copy of the request's context:
the copy refers to the same record, so what the thread writes is seen by the error handler
afterwards."""

from __future__ import annotations

from contextvars import ContextVar


class _Written:
    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last: int | None = None


_CURRENT: ContextVar[_Written | None] = ContextVar("otklik_written", default=None)


def begin() -> None:
    """A fresh record for the request starting now."""
    _CURRENT.set(_Written())


def appended(position: int) -> None:
    """The event store committed events up to ``position``."""
    record = _CURRENT.get()
    if record is not None:
        record.last = position


def last_position() -> int | None:
    """The position of the request's last committed append; None when it has written nothing."""
    record = _CURRENT.get()
    return record.last if record is not None else None
