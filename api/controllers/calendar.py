"""The production calendar: read a year; correct a day (a new calendar version, an event); the
municipalities the deployment serves and their time zones."""

from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, Response, get, post

from api.auth import actor_of, roles
from api.controllers.params import IfMatch
from api.errors import ApiProblem
from api.schemas import etag, expected_version
from api.services import Services
from domain.shared.actors import STAFF_READERS
from domain.shared.inputs import EARLIEST_YEAR, LATEST_YEAR
from domain.sla.book import EDITORS, CorrectDay
from domain.sla.calendar import CalendarDay, MonthSummary


class CalendarYear(msgspec.Struct, frozen=True, kw_only=True):
    calendar_id: str
    version: int
    year: int
    working_days: int
    working_hours: float
    months: list[MonthSummary]
    days: list[CalendarDay]  # the days that differ from the Monday-to-Friday rule


class CalendarVersion(msgspec.Struct, frozen=True, kw_only=True):
    calendar_id: str
    version: int
    day: CalendarDay
    retimed_appeals: int  # open appeals whose deadlines the correction moved (each an event)


@get(
    "/api/v1/calendar/{year:int}",
    sync_to_thread=True,
    tags=["calendar"],
    guards=[roles(STAFF_READERS, "read the production calendar")],
)
def get_year(year: int, services: Services) -> Response[CalendarYear]:
    """The production calendar's year: months with working days and hours, and every day that
    differs from Monday to Friday (holidays, moved days off, working Saturdays, shortened days)."""
    calendar = services.calendar.calendar()
    # a year outside the input domain (a correction an older version let through) is not served
    if year not in calendar.years or not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ApiProblem(
            404, "not-found", "Not found", f"the year is not in the calendar {calendar.id}"
        )
    months = [calendar.month_summary(year, m) for m in range(1, 13)]
    body = CalendarYear(
        calendar_id=calendar.id,
        version=calendar.version,
        year=year,
        working_days=sum(m.working_days for m in months),
        working_hours=sum(m.working_hours for m in months),
        months=months,
        days=[d for d in calendar.exceptions if d.day.year == year],
    )
    return Response(body, headers={"ETag": etag(calendar.version)})


@post(
    "/api/v1/calendar/days",
    sync_to_thread=True,
    status_code=200,
    tags=["calendar"],
    guards=[roles(EDITORS, "correct the production calendar")],
)
def correct_day(
    request: Request[Any, Any, Any], data: CorrectDay, services: Services, if_match: IfMatch = None
) -> Response[CalendarVersion]:
    """Correct one day (a late decree, a regional holiday): recorded as an event with its reason;
    the calendar's version goes up. Open deadlines the day moves are re-timed, each appeal with an
    event that says so; met deadlines and closed appeals stay as they were judged."""
    calendar = services.calendar.correct(
        data, actor=actor_of(request), expected_version=expected_version(if_match)
    )
    retimed = services.calendar_corrected(data.day, data.reason)
    body = CalendarVersion(
        calendar_id=calendar.id,
        version=calendar.version,
        day=calendar.day(data.day),
        retimed_appeals=retimed,
    )
    return Response(body, headers={"ETag": etag(calendar.version)})


class Municipality(msgspec.Struct, frozen=True, kw_only=True):
    code: str | None  # None: the deployment's default municipality when it has no code
    timezone: str
    utc_offset: str  # now, e.g. "+05:00"
    default: bool


@get(
    "/api/v1/municipalities",
    sync_to_thread=True,
    tags=["calendar"],
    guards=[roles(STAFF_READERS, "read the municipalities")],
)
def list_municipalities(services: Services) -> list[Municipality]:
    """The municipalities this deployment serves, each with the time zone its working hours and
    deadlines count in; an appeal names one with ``municipality`` when it is received."""
    clock = services.appeals.policy
    now = services.appeals.clock()
    zones: dict[str | None, str] = {clock.municipality: clock.timezone}
    zones.update(clock.municipalities)
    return [
        Municipality(
            code=code,
            timezone=zone,
            utc_offset=now.astimezone(ZoneInfo(zone)).isoformat()[-6:],
            default=code == clock.municipality,
        )
        for code, zone in zones.items()
    ]
