"""The daily brief's content, decided from the directory and the views' rows: who receives it
(each sector's deputy heads for their sector, the МЦУ's head for the whole municipality), which
days it covers, and what it lists — topics by count, the overdue appeals of the recipient's
sectors (registration number, unit, sector, topic, due date, days overdue; no citizen's data,
no free text). Pure: no storage, no clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec

from domain.appeals.vocabulary import Kind
from domain.organisation.directory import Directory
from domain.organisation.events import Position, UnitKind
from domain.organisation.lookup import resolve
from domain.rubricator.state import Rubricator
from domain.sla.calendar import ProductionCalendar
from projections import topic_keys
from projections.brief import OverdueAppeal, TopicCount

OTHER_TOPICS = 10  # the other channels' topics listed (the most frequent)
MCU_NAME = (
    "МЦУ"  # the unit the directory knows by this name or alias: its head gets the whole brief
)


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    person_id: str
    name: str
    sectors: tuple[str, ...] | None  # sector ids; None: the whole municipality


class TopicRow(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    topic: str
    code: str | None
    count: int


class OverdueRow(msgspec.Struct, frozen=True, kw_only=True):
    registration_number: str
    unit: str
    sector: str
    topic: str
    due: date
    days_overdue: int


class Brief(msgspec.Struct, frozen=True, kw_only=True):
    day: date  # the morning it is sent
    first: date  # the days it covers: first..last
    last: date
    recipient: Recipient
    scope: str  # «Блок городского хозяйства», or the whole municipality
    hotline: list[TopicRow]  # calls by topic
    other: list[TopicRow]  # the other channels' most frequent topics
    overdue: list[OverdueRow]


def covered(calendar: ProductionCalendar, day: date) -> tuple[date, date]:
    """The days a brief sent on ``day`` covers: from the previous working day to the day before
    (a Monday's covers Friday to Sunday; the first working day after holidays, all of them)."""
    first = day - timedelta(days=1)
    for _ in range(60):  # the longest run of days off is far shorter
        if calendar.is_working(first):
            break
        first -= timedelta(days=1)
    return first, day - timedelta(days=1)


def recipients(d: Directory, day: date, heads: Sequence[str] = ()) -> list[Recipient]:
    """Each open sector's deputy heads (a person over two sectors gets one brief for both) and
    the МЦУ's head: ``heads`` when given, else the head of the unit known as «МЦУ»."""
    sectors: dict[str, list[str]] = {}
    for unit in d.listing(day):
        if unit.kind is UnitKind.SECTOR:
            for person_id in d.holders(unit.id, Position.DEPUTY_HEAD, day):
                sectors.setdefault(person_id, []).append(unit.id)
    if not heads:
        mcu = resolve(d, MCU_NAME)
        heads = d.holders(mcu, Position.HEAD, day) if mcu else []
    found = [_recipient(d, p, day, None) for p in dict.fromkeys(heads) if d.person(p)]
    whole = {r.person_id for r in found}
    found += [_recipient(d, p, day, tuple(s)) for p, s in sorted(sectors.items()) if p not in whole]
    return found


def _recipient(
    d: Directory, person_id: str, day: date, sectors: tuple[str, ...] | None
) -> Recipient:
    person = d.person(person_id)
    name = person.name(day) if person else person_id
    return Recipient(person_id=person_id, name=name, sectors=sectors)


def _unit_and_sector(d: Directory, row: OverdueAppeal, day: date) -> tuple[str | None, str | None]:
    unit = resolve(d, row.department) if row.department else None
    sector = d.sector_of(unit, day) if unit else None
    if sector is None and row.sector:
        found = resolve(d, row.sector)
        sector = found if found and d.kind(found) is UnitKind.SECTOR else None
    return unit, sector


def brief_for(
    recipient: Recipient,
    *,
    day: date,
    calendar: ProductionCalendar,
    directory: Directory,
    rubricator: Rubricator,
    topics: Sequence[TopicCount],
    overdue: Sequence[OverdueAppeal],
    zone: ZoneInfo,
) -> Brief:
    first, last = covered(calendar, day)
    rows = [_topic_row(rubricator, t, day) for t in topics]
    listed: list[OverdueRow] = []
    for row in overdue:
        unit, sector = _unit_and_sector(directory, row, day)
        if recipient.sectors is not None and sector not in recipient.sectors:
            continue
        due = row.due.astimezone(zone).date()
        listed.append(
            OverdueRow(
                registration_number=row.registration_number or "—",
                unit=directory.name_of(unit, day) if unit else row.department or "—",
                sector=directory.name_of(sector, day) if sector else "—",
                topic=_topic_name(rubricator, row.topic, day),
                due=due,
                days_overdue=max((day - due).days, 1),
            )
        )
    scope = (
        "городской округ в целом"
        if recipient.sectors is None
        else ", ".join(directory.name_of(s, day) for s in recipient.sectors)
    )
    return Brief(
        day=day,
        first=first,
        last=last,
        recipient=recipient,
        scope=scope,
        hotline=[r for r in rows if r.kind == Kind.CALL.value],
        other=[r for r in rows if r.kind != Kind.CALL.value][:OTHER_TOPICS],
        overdue=listed,
    )


def _topic_row(rubricator: Rubricator, t: TopicCount, day: date) -> TopicRow:
    name, code = topic_keys.shown(rubricator, topic_keys.key_of(rubricator, t.topic), day)
    return TopicRow(kind=t.kind, topic=name, code=code, count=t.count)


def _topic_name(rubricator: Rubricator, recorded: str | None, day: date) -> str:
    if not recorded:
        return "—"
    return topic_keys.shown(rubricator, topic_keys.key_of(rubricator, recorded), day)[0]


def bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The covered days as times: from the first's midnight to the midnight after the last."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return start, end
