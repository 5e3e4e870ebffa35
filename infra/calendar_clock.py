"""The SLA clock in force for new decisions, re-read from the event store's calendar and policy
versions (wiring: the composition root hands it to the appeals application)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from domain.sla.books import CalendarBook, PolicyBook
from domain.sla.clock import SlaClock
from domain.sla.policy import FEDERAL


def utc_now() -> datetime:
    return datetime.now(UTC)


class CalendarClock:
    """The SLA clock in force for new decisions: the policy's versions and the RU calendar as the
    event store holds them, re-read at most every ``ttl`` seconds (and at once after a change
    made through this process). Each decision counts under the version in force at its appeal's
    receipt (``SlaClock.as_of``); ``policy`` is the one in force now."""

    def __init__(
        self,
        book: CalendarBook,
        policies: PolicyBook,
        policy_id: str,
        timezone: str,
        ttl: float = 5.0,
        municipality: str | None = None,
        municipalities: dict[str, str] | None = None,
    ) -> None:
        self.book = book
        self.policies = policies
        self.policy_id = policy_id
        self.timezone = timezone
        self.municipality = municipality
        self.municipalities = dict(municipalities or {})
        self.ttl = ttl
        self._clock: SlaClock | None = None
        self._read_at = 0.0

    def refresh(self) -> None:
        self._clock = None

    def __call__(self) -> SlaClock:
        now = time.monotonic()
        if self._clock is None or now - self._read_at > self.ttl:
            calendar = self.book.calendar("RU")
            versions = self.policies.versions(self.policy_id)
            self._clock = SlaClock(
                policy=versions[-1] if versions else FEDERAL,
                calendar=calendar,
                timezone=self.timezone,
                municipality=self.municipality,
                municipalities=self.municipalities,
                versions=versions,
            ).as_of(utc_now())
            self._read_at = now
        return self._clock
