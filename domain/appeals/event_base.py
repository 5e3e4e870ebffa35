"""The base of the appeal's events (its own module: the event catalogue is split by concern)."""

from __future__ import annotations

from domain.shared.envelope import Envelope


class AppealEvent(Envelope, frozen=True, kw_only=True, gc=False):
    """Base of every appeal event."""
