"""The production calendar: read a year; correct a day (a new calendar version, an event); the
municipalities the deployment serves and their time zones."""

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, get, post

from api.auth import actor_of, roles
from api.controllers.params import POSITION_HEADER, IfMatch
from api.errors import ApiProblem
from api.schemas.calendar import (
    CalendarDay,
    CalendarVersion,
    CalendarYear,
    CorrectDay,
    MonthSummary,
    Municipality,
)
from api.schemas.common import etag, expected_version, mirror
from api.services import Now
from domain.shared.actors import STAFF_READERS
from domain.shared.inputs import EARLIEST_YEAR, LATEST_YEAR
from domain.sla import book
from domain.sla.book import EDITORS
from domain.sla.books import CalendarBook
from domain.sla.clock import SlaClock


@get(
    "/api/v1/calendar/{year:int}",
    sync_to_thread=True,
    tags=["calendar"],
    guards=[roles(STAFF_READERS, "read the production calendar")],
)
def get_year(year: int, calendar_book: CalendarBook) -> Response[CalendarYear]:
    """The production calendar's year: months with working days and hours, and every day that
    differs from Monday to Friday (holidays, moved days off, working Saturdays, shortened days)."""
    calendar = calendar_book.calendar()
    # a year outside the input domain (a correction an older version let through) is not served
    if year not in calendar.years or not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ApiProblem(
            404, "not-found", "Not found", f"the year is not in the calendar {calendar.id}"
        )
    months = [mirror(calendar.month_summary(year, m), MonthSummary) for m in range(1, 13)]
    body = CalendarYear(
        calendar_id=calendar.id,
        version=calendar.version,
        year=year,
        working_days=sum(m.working_days for m in months),
        working_hours=sum(m.working_hours for m in months),
        months=months,
        days=[mirror(d, CalendarDay) for d in calendar.exceptions if d.day.year == year],
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
    request: Request[Any, Any, Any],
    data: CorrectDay,
    calendar_book: CalendarBook,
    sla_clock_changed: Callable[[], None],
    if_match: IfMatch = None,
) -> Response[CalendarVersion]:
    """Correct one day (a late decree, a regional holiday): recorded as an event with its reason;
    the calendar's version goes up and new deadlines use it at once. The open deadlines the day
    moves are then re-timed by the re-timer (a reactor), each appeal with an event that says so;
    met deadlines and closed appeals stay as they were judged. The answer names the correction's
    log position (body and ``X-Otklik-Position``): the re-timer's position passes it once done."""
    written = calendar_book.record_correction(
        mirror(data, book.CorrectDay),
        actor=actor_of(request),
        expected_version=expected_version(if_match),
    )
    sla_clock_changed()
    calendar = written.state
    body = CalendarVersion(
        calendar_id=calendar.id,
        version=calendar.version,
        day=mirror(calendar.day(data.day), CalendarDay),
        position=written.position,
    )
    headers = {"ETag": etag(calendar.version), POSITION_HEADER: str(written.position)}
    return Response(body, headers=headers)


@get(
    "/api/v1/municipalities",
    sync_to_thread=True,
    tags=["calendar"],
    guards=[roles(STAFF_READERS, "read the municipalities")],
)
def list_municipalities(sla_clock: SlaClock, clock: Now) -> list[Municipality]:
    """The municipalities this deployment serves, each with the time zone its working hours and
    deadlines count in; an appeal names one with ``municipality`` when it is received."""
    now = clock()
    zones: dict[str | None, str] = {sla_clock.municipality: sla_clock.timezone}
    zones.update(sla_clock.municipalities)
    return [
        Municipality(
            code=code,
            timezone=zone,
            utc_offset=now.astimezone(ZoneInfo(zone)).isoformat()[-6:],
            default=code == sla_clock.municipality,
        )
        for code, zone in zones.items()
    ]
