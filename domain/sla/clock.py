"""The SLA clock the appeal's decisions use: the policy in force, the calendar in force, the
municipality's time zone. Every deadline it gives comes with its provenance.

One deployment can serve several municipalities (a region-wide control centre): each has its own
time zone, and its working hours are local. The clock knows them by code; an appeal names its
municipality at receipt, records the time zone it was received under, and every later deadline of
that appeal is computed in that zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec

from domain.appeals.vocabulary import Channel, Deadline, Kind
from domain.shared.errors import InvalidCommand
from domain.sla.calendar import ProductionCalendar
from domain.sla.policy import (
    FEDERAL,
    Anchor,
    ComputedDeadline,
    Provenance,
    SlaPolicy,
    Unit,
    compute,
    extend,
    resume,
)

_ALWAYS = datetime.min.replace(tzinfo=UTC)


def _since(policy: SlaPolicy) -> datetime:
    return policy.effective_from or _ALWAYS


class SlaClock(msgspec.Struct, frozen=True, kw_only=True):
    policy: SlaPolicy = FEDERAL
    calendar: ProductionCalendar = msgspec.field(default_factory=ProductionCalendar)
    timezone: str = "Europe/Moscow"
    # The municipality this clock counts for (None: the deployment's only one), and every
    # municipality the deployment serves, code → IANA time zone.
    municipality: str | None = None
    municipalities: dict[str, str] = msgspec.field(default_factory=dict)
    # Every version of the policy, each with its ``effective_from``: an appeal is counted under
    # the version in force at its receipt (``as_of``). Empty: ``policy`` is the only one.
    versions: tuple[SlaPolicy, ...] = ()

    def as_of(self, received: datetime) -> SlaClock:
        """The clock counting under the version in force at ``received``: of the versions in
        force by then, the one that took effect last (the higher version on the same date, so a
        correction, which takes its corrected version's date, replaces it). Before the first
        version took effect (an appeal received before the policy was first published, e.g. a
        migrated one) the first version counts: there was no other."""
        if not self.versions:
            return self
        started = [v for v in self.versions if _since(v) <= received]
        if started:
            chosen = max(started, key=lambda v: (_since(v), v.version))
        else:
            chosen = min(self.versions, key=lambda v: (_since(v), v.version))
        if chosen is self.policy:
            return self
        return msgspec.structs.replace(self, policy=chosen)

    def for_municipality(self, code: str | None) -> SlaClock:
        """The clock of municipality ``code`` (None: the deployment's default one)."""
        if code is None or code == self.municipality:
            return self
        zone = self.municipalities.get(code)
        if zone is None:
            known = ", ".join(sorted(self.municipalities)) or "none is configured"
            raise InvalidCommand(
                f"`municipality` is not one this deployment serves; known: {known}"
            )
        return msgspec.structs.replace(self, municipality=code, timezone=zone)

    def in_zone(self, timezone: str | None) -> SlaClock:
        """The same clock counting in ``timezone`` (an appeal's recorded zone; None: unchanged)."""
        if timezone is None or timezone == self.timezone:
            return self
        return msgspec.structs.replace(self, timezone=timezone)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def policy_id(self) -> str:
        return f"{self.policy.id}/{self.policy.version}"

    @property
    def pausable(self) -> frozenset[Kind]:
        return self.policy.pausable

    @property
    def single_extension(self) -> frozenset[Kind]:
        return self.policy.single_extension

    @property
    def max_extension_days(self) -> int:
        return self.policy.max_extension_days

    def due(
        self,
        deadline: Deadline,
        kind: Kind,
        channel: Channel,
        topic: str | None,
        anchor: Anchor,
    ) -> ComputedDeadline | None:
        """The deadline for such an appeal counted from ``anchor``; None when the policy sets
        none (no forward deadline for a message, no first reaction for a letter)."""
        rule = self.policy.rule(deadline, kind, channel, topic)
        if rule is None:
            return None
        return compute(
            rule, anchor, policy=self.policy, calendar=self.calendar, timezone=self.timezone
        )

    def _current(
        self,
        deadline: Deadline,
        kind: Kind,
        channel: Channel,
        topic: str | None,
        due: datetime,
        anchor: Anchor,
        what: str,
    ) -> ComputedDeadline:
        rule = self.policy.rule(deadline, kind, channel, topic)
        return ComputedDeadline(
            deadline=deadline,
            due=due,
            unit=rule.unit if rule is not None else Unit.CALENDAR_DAYS,
            provenance=Provenance(
                policy_id=self.policy.id,
                policy_version=self.policy.version,
                calendar_id=self.calendar.id,
                calendar_version=self.calendar.version,
                timezone=self.timezone,
                anchor=anchor,
                rule=what,
                steps=(f"Прежний срок: {due.astimezone(self.zone):%d.%m.%Y %H:%M}.",),
            ),
        )

    def extended(
        self,
        deadline: Deadline,
        kind: Kind,
        channel: Channel,
        topic: str | None,
        due: datetime,
        days: int,
        anchor: Anchor,
    ) -> ComputedDeadline:
        current = self._current(
            deadline, kind, channel, topic, due, anchor, f"продление на {days} календарных дней"
        )
        return extend(current, days, calendar=self.calendar)

    def resumed(
        self,
        deadline: Deadline,
        kind: Kind,
        channel: Channel,
        topic: str | None,
        due: datetime,
        paused: timedelta,
        anchor: Anchor,
    ) -> ComputedDeadline:
        current = self._current(
            deadline, kind, channel, topic, due, anchor, "возобновление после приостановки"
        )
        return resume(current, paused, calendar=self.calendar)
