"""Department workload by day: per local day, municipality, department and kind, how many appeals
came in, were assigned, answered (and answered on time), closed, breached a deadline, were
reopened, and how citizens rated the answers. An aggregating view: each batch is folded in
memory into counters and written as one set-based upsert that adds to the stored counts. What it
must remember of each appeal (kind, municipality, department, answer deadline) lives in the
runner's memory and, after a restart, is folded from the appeal's earlier events in the log: the
tables hold only the counts.

Facts are dated by the business time of the act in the time zone the appeal was received under
(its municipality's; older appeals: the deployment's), and counted under the department that held
the appeal at that moment ("" before it was assigned)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.appeals import events as ev
from domain.appeals.vocabulary import Deadline
from projections.engine.model import Batch

COUNTERS = (
    "received",
    "assigned",
    "answered",
    "answered_on_time",
    "closed",
    "breaches",
    "reopened",
    "rated",
    "score_sum",
)
CACHE_LIMIT = 300_000
Key = tuple[date, str, str, str]  # day, municipality, department, kind


class _Context:
    """What the view remembers of an appeal: its kind, municipality ("" for the default one)
    and time zone, department and answer deadline."""

    __slots__ = ("answer_due", "department", "kind", "municipality", "zone")

    def __init__(self, kind: str, municipality: str, zone: ZoneInfo) -> None:
        self.kind = kind
        self.municipality = municipality
        self.zone = zone
        self.department = ""
        self.answer_due: datetime | None = None


class DepartmentDaysProjection:
    name = "department_days"
    version = 2  # 2: by municipality, and the local day is the appeal's municipality's
    topics = frozenset(
        {
            "AppealReceived",
            "AppealRegistered",
            "AppealAssigned",
            "DeadlineExtended",
            "AppealResumed",
            "AnswerDelivered",
            "AppealClosed",
            "DeadlineBreached",
            "AppealReopened",
            "SatisfactionRated",
            "DeadlineSetBySource",  # issue 16: an imported source's deadline that governs
            "AnswerGivenAtSource",  # issue 16: an imported answer (delivered: counted as answered)
        }
    )
    tables = ("department_days",)
    ddl = """
        CREATE TABLE {department_days} (
            day date NOT NULL,
            municipality text NOT NULL,
            department text NOT NULL,
            kind text NOT NULL,
            received integer NOT NULL DEFAULT 0,
            assigned integer NOT NULL DEFAULT 0,
            answered integer NOT NULL DEFAULT 0,
            answered_on_time integer NOT NULL DEFAULT 0,
            closed integer NOT NULL DEFAULT 0,
            breaches integer NOT NULL DEFAULT 0,
            reopened integer NOT NULL DEFAULT 0,
            rated integer NOT NULL DEFAULT 0,
            score_sum integer NOT NULL DEFAULT 0,
            PRIMARY KEY (day, municipality, department, kind)
        );
    """
    indexes = """
        CREATE INDEX IF NOT EXISTS {department_days}_department
            ON {department_days} (municipality, department, day);
    """

    def __init__(self, timezone: str = "Europe/Moscow") -> None:
        self.zone = ZoneInfo(timezone)

    def context_of(self, event: ev.AppealReceived) -> _Context:
        zone = ZoneInfo(event.timezone) if event.timezone else self.zone
        return _Context(event.kind, event.municipality or "", zone)

    def apply(self, batch: Batch) -> None:
        cache: dict[UUID, _Context] = batch.cache
        self._recover(batch, cache)
        counts: defaultdict[Key, list[int]] = defaultdict(lambda: [0] * len(COUNTERS))
        for item in batch.events:
            self._count(item.event, cache, counts)
        if counts:
            batch.upsert(
                "department_days",
                ("day", "municipality", "department", "kind", *COUNTERS),
                ((*key, *values) for key, values in counts.items()),
                key=("day", "municipality", "department", "kind"),
                add=COUNTERS,
            )
        if len(cache) > CACHE_LIMIT:
            for appeal_id in list(cache)[: len(cache) - CACHE_LIMIT // 2]:
                del cache[appeal_id]

    def _count(
        self, event: ev.AppealEvent, cache: dict[UUID, _Context], counts: dict[Key, list[int]]
    ) -> None:
        """Add one event to the batch's counts, under the department that held the appeal."""
        if isinstance(event, ev.AppealReceived):
            context = self.context_of(event)
            cache[event.originator_id] = context
            day = local_day(event.occurred_at, context.zone)
            counts[(day, context.municipality, "", event.kind)][0] += 1
            return
        context = cache[event.originator_id]
        day = local_day(event.occurred_at, context.zone)
        if isinstance(event, ev.AppealAssigned):
            counts[(day, context.municipality, event.department, context.kind)][1] += 1
        else:
            tally = _TALLIES.get(type(event))
            if tally is not None:
                key = (day, context.municipality, context.department, context.kind)
                tally(counts[key], event, context)
        _remember(context, event)

    def _recover(self, batch: Batch, cache: dict[UUID, _Context]) -> None:
        """What the view remembers of an appeal it has not seen since the runner started (a
        restart, an evicted entry) is folded from the appeal's earlier events in the log."""
        first: dict[UUID, int] = {}
        for item in batch.events:
            first.setdefault(item.event.originator_id, item.event.originator_version)
        missing = [i for i, version in first.items() if version > 1 and i not in cache]
        for appeal_id, stream in batch.streams(missing).items():
            context: _Context | None = None
            for event in stream:
                if event.originator_version >= first[appeal_id]:
                    break
                if isinstance(event, ev.AppealReceived):
                    context = self.context_of(event)
                elif context is not None:
                    _remember(context, event)
            if context is not None:
                cache[appeal_id] = context


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The day ``moment`` falls on in ``zone``; at the ends of the calendar (year 1, year 9999:
    old events written before the input domain refused them), where it cannot be converted, the
    day it names."""
    try:
        return moment.astimezone(zone).date()
    except OverflowError:
        return moment.date()


def _answered(row: list[int], event: Any, context: _Context) -> None:
    row[2] += 1
    if context.answer_due is None or event.occurred_at <= context.answer_due:
        row[3] += 1


def _answered_at_source(row: list[int], event: Any, context: _Context) -> None:
    if event.delivered:
        _answered(row, event, context)


def _rated(row: list[int], event: Any, context: _Context) -> None:
    row[7] += 1
    row[8] += event.score


def _counter(index: int) -> Callable[[list[int], Any, _Context], None]:
    def tally(row: list[int], event: Any, context: _Context) -> None:
        row[index] += 1

    return tally


# How an event other than the receipt and the assignment counts, by its type (COUNTERS' order).
_TALLIES: dict[type[Any], Callable[[list[int], Any, _Context], None]] = {
    ev.AnswerDelivered: _answered,
    ev.AnswerGivenAtSource: _answered_at_source,
    ev.AppealClosed: _counter(4),
    ev.DeadlineBreached: _counter(5),
    ev.AppealReopened: _counter(6),
    ev.SatisfactionRated: _rated,
}


def _remember(context: _Context, event: ev.AppealEvent) -> None:
    """Keep the appeal's department and answer deadline up to date."""
    if isinstance(event, ev.AppealAssigned):
        context.department = event.department
    elif isinstance(event, ev.AppealRegistered | ev.AppealResumed):
        context.answer_due = event.answer_due
    elif isinstance(event, ev.DeadlineExtended) and event.deadline is Deadline.ANSWER:
        context.answer_due = event.new_due
    elif isinstance(event, ev.DeadlineSetBySource) and event.governs:
        context.answer_due = event.due
