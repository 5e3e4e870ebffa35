"""Reports for the head of the administration, the regional ЦУР and analysts: the monthly KPI
report, summaries in slices, hot topics, workload — as JSON, CSV or XLSX, each stamped with the
methodology and the log position it was built from."""

from datetime import date
from typing import Annotated

from litestar import Response, get
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Schema
from litestar.params import Parameter

from api.auth import roles
from api.controllers.ratings import methodology_of, period_of
from api.errors import ApiProblem
from api.problems_openapi import SUCCESS_CONTENT
from api.report_formats import FORMATS, render
from api.services import Now
from domain.ratings.methodology_book import MethodologyBook
from domain.shared.actors import Role
from domain.shared.inputs import EARLIEST_YEAR, LATEST_YEAR
from projections.reports import SLICES, Reports, Table

READERS = frozenset({Role.ANALYST, Role.CURATOR, Role.HEAD, Role.AUDITOR})
Format = Annotated[str, Parameter(query="format", pattern="^(json|csv|xlsx)$")]
READ_REPORTS = [roles(READERS, "read reports")]
# format=json: the table; csv: a UTF-8 text with a BOM; xlsx: a workbook
_TABLE = Schema(
    type=OpenAPIType.OBJECT,
    required=["title", "columns", "rows", "stamp"],
    properties={
        "title": Schema(type=OpenAPIType.STRING),
        "columns": Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.OBJECT)),
        "rows": Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.OBJECT)),
        "stamp": Schema(type=OpenAPIType.OBJECT),
    },
)
REPORT_FORMATS = {
    SUCCESS_CONTENT: {
        FORMATS["json"]: _TABLE,
        FORMATS["csv"]: Schema(type=OpenAPIType.STRING),
        FORMATS["xlsx"]: Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY),
    }
}


def _answer(table: Table, fmt: str, name: str) -> Response[bytes]:
    headers = {}
    if fmt != "json":
        headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return Response(render(table, fmt), media_type=FORMATS[fmt], headers=headers)


@get(
    "/api/v1/reports/kpi",
    sync_to_thread=True,
    tags=["reports"],
    guards=READ_REPORTS,
    opt=REPORT_FORMATS,
)
def kpi_report(
    reports: Reports,
    methodologies: MethodologyBook,
    period: str,
    methodology: str | None = None,
    fmt: Format = "json",
) -> Response[bytes]:
    """The monthly KPI report: per department and for the municipality — received, answered, on
    time, overdue, median time, on the merits, satisfaction, repeats, score and rank."""
    chosen_period = period_of(period)
    chosen, _ = methodology_of(methodologies, methodology, chosen_period)
    return _answer(reports.kpi(chosen, chosen_period), fmt, f"kpi-{chosen_period.label}")


@get(
    "/api/v1/reports/summary",
    sync_to_thread=True,
    tags=["reports"],
    guards=READ_REPORTS,
    opt=REPORT_FORMATS,
)
def summary_report(
    reports: Reports,
    since: date,
    until: date,
    by: str = "department",
    fmt: Format = "json",
) -> Response[bytes]:
    """Appeals received from ``since`` to ``until`` (inclusive) in slices: ``by`` is a
    comma-separated list of channel, kind, topic, department, sector, month."""
    if until < since:
        raise ApiProblem(400, "invalid-period", "Bad period", "until is before since")
    if since.year < EARLIEST_YEAR or until.year > LATEST_YEAR:
        raise ApiProblem(
            400,
            "invalid-period",
            "Bad period",
            f"since and until lie in the years {EARLIEST_YEAR}–{LATEST_YEAR}",
        )
    slices = [b.strip() for b in by.split(",") if b.strip()]
    if not slices or any(b not in SLICES for b in slices):
        raise ApiProblem(
            400,
            "invalid-slices",
            "Bad slices",
            "`by` is a comma-separated list of any of: " + ", ".join(SLICES),
        )
    table = reports.summary(slices, since, date.fromordinal(until.toordinal() + 1))
    return _answer(table, fmt, f"summary-{since}-{until}")


@get(
    "/api/v1/reports/hot-topics",
    sync_to_thread=True,
    tags=["reports"],
    guards=READ_REPORTS,
    opt=REPORT_FORMATS,
)
def hot_topics_report(
    reports: Reports,
    clock: Now,
    weeks: Annotated[int, Parameter(ge=2, le=52)] = 8,
    fmt: Format = "json",
) -> Response[bytes]:
    """Per topic: appeals per week, the last week's growth against the average, and the share
    of repeats before and in the last week (a rising share: a problem not solved)."""
    table = reports.hot_topics(weeks, clock().date())
    return _answer(table, fmt, "hot-topics")


@get(
    "/api/v1/reports/workload",
    sync_to_thread=True,
    tags=["reports"],
    guards=READ_REPORTS,
    opt=REPORT_FORMATS,
)
def workload_report(reports: Reports, fmt: Format = "json") -> Response[bytes]:
    """Open appeals now per sector, department and executor, and how many are overdue."""
    return _answer(reports.workload(), fmt, "workload")
