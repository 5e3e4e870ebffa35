"""Public ratings: a period's table under a methodology (the one in force: "as reported"), and
two methodologies side by side. Aggregates only; ``ETag`` from the view's position, so a portal
that asks again with ``If-None-Match`` gets a ``304`` until an appeal changes."""

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get
from litestar.params import Parameter

from api.auth import PUBLIC_ROUTE
from api.errors import ApiProblem
from api.schemas.ratings import Compared, Comparison, Moved
from domain.ratings.methodology import Methodology, Scope
from domain.ratings.methodology_book import MethodologyBook
from domain.ratings.score import Period, RatedUnit, parse_period
from domain.shared.inputs import EARLIEST_YEAR, LATEST_YEAR
from projections.ratings import Rating, RatingQueries

CACHE_CONTROL = "public, max-age=60"
# A methodology's version in ``id/version``: ASCII digits ("²" is a digit to str.isdigit).
_VERSION = re.compile(r"[0-9]{1,9}", re.ASCII)
Sort = Annotated[str, Parameter(pattern="^(rank|score|volume|unit)$")]
# ("scope" is the ASGI scope to Litestar: the query parameter gets another name in Python)
ScopeParam = Annotated[
    str, Parameter(query="scope", description="department, institution, sector or municipality")
]


def period_of(text: str) -> Period:
    try:
        return parse_period(text)
    except ValueError:
        raise ApiProblem(
            400,
            "invalid-period",
            "Bad period",
            f"`period` is YYYY-MM, YYYY-Qn or YYYY, in {EARLIEST_YEAR}–{LATEST_YEAR}",
        ) from None


def methodology_of(
    methodologies: MethodologyBook, wanted: str | None, period: Period, param: str = "methodology"
) -> tuple[Methodology, bool]:
    """The methodology asked for (``id`` or ``id/version``, in the query parameter ``param``), or
    the one in force."""
    in_force = methodologies.in_force(period.first_month)
    if wanted is None:
        if in_force is None:
            raise ApiProblem(
                404,
                "no-methodology",
                "No methodology",
                "no methodology is in force for the period",
            )
        return in_force, True
    name, _, version = wanted.partition("/")
    if version and not _VERSION.fullmatch(version):
        raise ApiProblem(
            400,
            f"invalid-{param}",
            f"Bad {param}",
            f"`{param}` is a methodology's id or id/version",
        )
    found = methodologies.methodology(name, int(version) if version else None)
    if found is None:
        raise ApiProblem(404, "not-found", "Not found", f"`{param}` names no published methodology")
    return found, in_force is not None and in_force.label == found.label


def _scope(methodology: Methodology, scope: str) -> Scope:
    try:
        chosen = Scope(scope)
    except ValueError:
        raise ApiProblem(
            400, "invalid-scope", "Bad scope", "`scope` is one of: " + ", ".join(Scope)
        ) from None
    # institutions are rated by the rules a methodology sets for departments (issue 15)
    rated = chosen if chosen is not Scope.INSTITUTION else Scope.DEPARTMENT
    if rated not in methodology.scopes:
        raise ApiProblem(
            400, "invalid-scope", "Bad scope", f"{methodology.label} does not rate by {chosen}"
        )
    return chosen


_ENCODED: OrderedDict[str, bytes] = OrderedDict()  # ETag → the JSON body, for repeat questions
_ENCODED_LOCK = threading.Lock()  # handlers run on several threads
_ENCODER = msgspec.json.Encoder()


def _tag(*parts: object) -> str:
    return '"' + hashlib.sha256(repr(parts).encode()).hexdigest()[:20] + '"'


def _cached(request: Request[Any, Any, Any], tag: str, make: Callable[[], Any]) -> Response[Any]:
    """304 when the client has this version; else the body (encoded once per version)."""
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL}
    if tag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(None, status_code=304, headers=headers)
    with _ENCODED_LOCK:
        body = _ENCODED.get(tag)
    if body is None:
        body = _ENCODER.encode(make())
        with _ENCODED_LOCK:
            _ENCODED[tag] = body
            while len(_ENCODED) > 256:
                _ENCODED.popitem(last=False)
    return Response(body, headers=headers, media_type="application/json")


def _sorted(units: list[RatedUnit], sort: str) -> list[RatedUnit]:
    if sort == "rank":
        return units
    keys = {
        "score": lambda u: (-(u.score or -1), u.unit),
        "volume": lambda u: (-u.volume, u.unit),
        "unit": lambda u: (u.unit,),
    }
    return sorted(units, key=keys[sort])


@get("/api/v1/ratings", sync_to_thread=True, tags=["ratings"], opt=PUBLIC_ROUTE)
def ratings(
    request: Request[Any, Any, Any],
    methodologies: MethodologyBook,
    rating_queries: RatingQueries,
    period: str,
    methodology: str | None = None,
    unit_scope: ScopeParam = "department",
    sort: Sort = "rank",
) -> Response[Rating]:
    """Public: the rating of each unit for a period (``YYYY-MM``, ``YYYY-Qn``, ``YYYY``): every
    indicator, its normalised value and contribution, the score (0–100) and the rank; units
    below the minimum volume listed, not ranked. Default methodology: the one in force for the
    period (the rating as reported)."""
    chosen_period = period_of(period)
    chosen, as_reported = methodology_of(methodologies, methodology, chosen_period)
    chosen_scope = _scope(chosen, unit_scope)
    tag = _tag(rating_queries.position(), chosen.label, as_reported, period, unit_scope, sort)

    def make() -> Rating:
        rating = rating_queries.rating(chosen, chosen_period, chosen_scope, as_reported=as_reported)
        return msgspec.structs.replace(rating, units=_sorted(rating.units, sort))

    return _cached(request, tag, make)


@get("/api/v1/ratings/compare", sync_to_thread=True, tags=["ratings"], opt=PUBLIC_ROUTE)
def compare(
    request: Request[Any, Any, Any],
    methodologies: MethodologyBook,
    rating_queries: RatingQueries,
    period: str,
    base: str,
    candidate: str,
    unit_scope: ScopeParam = "department",
) -> Response[Comparison]:
    """Public: per unit, the score and rank under two methodologies (``id`` or ``id/version``),
    the change of rank, and which indicators moved it."""
    chosen_period = period_of(period)
    first, first_in_force = methodology_of(methodologies, base, chosen_period, "base")
    second, _ = methodology_of(methodologies, candidate, chosen_period, "candidate")
    chosen_scope = _scope(first, unit_scope)
    _scope(second, unit_scope)
    tag = _tag(rating_queries.position(), first.label, second.label, period, unit_scope)

    def make() -> Comparison:
        second_in_force = methodologies.in_force(chosen_period.first_month) == second
        a = rating_queries.rating(first, chosen_period, chosen_scope, as_reported=first_in_force)
        b = rating_queries.rating(second, chosen_period, chosen_scope, as_reported=second_in_force)
        theirs = {u.unit: u for u in b.units}
        return Comparison(
            period=chosen_period.label,
            scope=chosen_scope,
            base=first.label,
            candidate=second.label,
            position=a.position,
            units=[_compared(u, theirs[u.unit]) for u in a.units if u.unit in theirs],
        )

    return _cached(request, tag, make)


def _compared(mine: RatedUnit, other: RatedUnit) -> Compared:
    """One unit under the base methodology and the candidate: the indicators that moved it most."""
    points = {
        k: round(other.contributions.get(k, 0) - mine.contributions.get(k, 0), 2)
        for k in {*mine.contributions, *other.contributions}
    }
    moved = sorted(points.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:3]
    return Compared(
        unit=mine.unit,
        name=mine.name,
        volume=mine.volume,
        base_score=mine.score,
        base_rank=mine.rank,
        candidate_score=other.score,
        candidate_rank=other.rank,
        rank_change=None if mine.rank is None or other.rank is None else mine.rank - other.rank,
        moved_by=[Moved(indicator=k, points=v) for k, v in moved if v],
    )
