"""The daily brief, a reactor with a timer: each working morning (by the production calendar, in
the municipality's time zone, from ``hour`` on) it queues one message per recipient — each
sector's deputy head, the МЦУ's head — with the hotline's topics of the days since the previous
working day and the overdue list of their sector, rendered from a template with an XLSX attached.
The outbox delivers it like any message.

The message's id is uuid5 of (the day, the person): a second tick, a restart, a second process or
an operator's ``otklik brief send`` find it queued and append nothing. A day off sends nothing;
the first working day after it covers the days off too."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
import structlog

from domain.organisation.directory import Directory
from domain.outbox.commands import QueueMessage
from domain.outbox.events import OutboundChannel, OutgoingFile, Purpose, message_stream
from domain.outbox.service import OutboxService
from domain.rubricator.state import Rubricator
from domain.sla.calendar import ProductionCalendar
from projections.brief import BriefQueries
from projections.engine.reactor import ReactorBatch
from projections.reactors.brief_content import Brief, bounds, brief_for, covered, recipients
from projections.reactors.outbox import Render

log = structlog.get_logger("otklik.brief")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE = "daily_brief"


def brief_id(day: date, person_id: str) -> UUID:
    """The brief's message id: one per day and person, whoever queues it."""
    return message_stream(None, 0, Purpose.DAILY_BRIEF, f"{day.isoformat()}:{person_id}")


class Queued(msgspec.Struct, frozen=True, kw_only=True):
    message_id: UUID
    person_id: str
    queued: bool  # False: it was queued already (or a dry run)
    has_address: bool
    overdue: int  # overdue appeals listed


class DailyBrief:
    name = "daily_brief"
    version = 1
    topics: frozenset[str] = frozenset()  # a timer only: it reads no events

    def __init__(
        self,
        outbox: OutboxService,
        queries: BriefQueries,
        *,
        directory: Callable[[], Directory],
        rubricator: Callable[[], Rubricator],
        calendar: Callable[[], ProductionCalendar],
        render: Render,
        workbook: Callable[[Brief], bytes],
        timezone: str,
        hour: int = 8,
        heads: Sequence[str] = (),
        interval: float = 300.0,
    ) -> None:
        self.outbox = outbox
        self.queries = queries
        self.directory = directory
        self.rubricator = rubricator
        self.calendar = calendar
        self.render = render
        self.workbook = workbook
        self.zone = ZoneInfo(timezone)
        self.hour = hour
        self.heads = tuple(heads)
        self.tick_seconds = interval
        self._done: date | None = None  # the day whose briefs are all queued (this process)

    def react(self, batch: ReactorBatch) -> None:
        return None  # no events: the timer does the work

    def due(self, now: datetime) -> date | None:
        """The day a brief is due for at ``now`` (None: before the hour, or a day off)."""
        local = now.astimezone(self.zone)
        if local.hour < self.hour or not self.calendar().is_working(local.date()):
            return None
        return local.date()

    def tick(self, now: datetime) -> int:
        day = self.due(now)
        if day is None or day == self._done:
            return 0
        people = recipients(self.directory(), day, self.heads)
        if all(self.outbox.message(brief_id(day, r.person_id)) for r in people):
            self._done = day  # queued already (another process, or before a restart)
            return 0
        done = self.send(day, now)
        self._done = day
        return sum(1 for q in done if q.queued)

    def at(self, day: date) -> datetime:
        """The moment a brief for ``day`` is taken at (its hour, in the municipality's zone)."""
        return datetime.combine(day, time(self.hour), tzinfo=self.zone)

    def send(
        self, day: date, now: datetime | None = None, *, dry_run: bool = False
    ) -> list[Queued]:
        """Queue ``day``'s briefs (those not queued yet); a dry run queues nothing. Nothing on a
        day off."""
        calendar = self.calendar()
        if not calendar.is_working(day):
            return []
        now = now or self.at(day)
        directory, rubricator = self.directory(), self.rubricator()
        start, end = bounds(*covered(calendar, day), self.zone)
        topics = self.queries.topics(start, end)
        overdue = self.queries.overdue(now)
        done: list[Queued] = []
        for recipient in recipients(directory, day, self.heads):
            brief = brief_for(
                recipient,
                day=day,
                calendar=calendar,
                directory=directory,
                rubricator=rubricator,
                topics=topics,
                overdue=overdue,
                zone=self.zone,
            )
            address = directory.email_of(recipient.person_id, day)
            message_id = brief_id(day, recipient.person_id)
            # a brief goes by e-mail: a recipient the directory knows no e-mail of gets none (the
            # dry run lists them), and nothing is queued for nobody
            queued = (
                not dry_run
                and address is not None
                and self.outbox.queue(message_id, self._message(brief, address))
            )
            if queued:
                log.info("brief.queued", message_id=str(message_id), day=day.isoformat())
            done.append(
                Queued(
                    message_id=message_id,
                    person_id=recipient.person_id,
                    queued=queued,
                    has_address=address is not None,
                    overdue=len(brief.overdue),
                )
            )
        return done

    def _message(self, brief: Brief, address: str | None) -> QueueMessage:
        rendered = self.render(TEMPLATE, {"brief": _variables(brief)})
        return QueueMessage(
            purpose=Purpose.DAILY_BRIEF,
            channel=OutboundChannel.EMAIL if address else OutboundChannel.NONE,
            recipient=address,
            reply_to=None,
            subject=rendered.subject,
            body=rendered.body,
            appeal_id=None,
            trigger_type="DailyBrief",
            trigger_version=0,
            template=TEMPLATE,
            article=None,
            files=(
                OutgoingFile(
                    name=f"svodka-{brief.day.isoformat()}.xlsx",
                    media_type=XLSX,
                    content=self.workbook(brief),
                ),
            ),
        )


def _variables(brief: Brief) -> Mapping[str, Any]:
    """The brief as the template reads it (dates as a person reads them)."""
    data: dict[str, Any] = msgspec.to_builtins(brief)
    data["day"] = f"{brief.day:%d.%m.%Y}"
    data["first"] = f"{brief.first:%d.%m.%Y}"
    data["last"] = f"{brief.last:%d.%m.%Y}"
    for row, source in zip(data["overdue"], brief.overdue, strict=True):
        row["due"] = f"{source.due:%d.%m.%Y}"
    return data
