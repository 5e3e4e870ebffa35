"""Misinformation response: claims (detect, one route per action, read, list), recognising a
known claim in a new post, the response figures, and published refutations as schema.org
ClaimReview (public)."""

from datetime import datetime
from functools import partial
from typing import Annotated, Any
from uuid import UUID

import structlog
from litestar import Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.handlers import HTTPRouteHandler
from litestar.params import Parameter

from api.auth import PUBLIC_ROUTE, actor_of, roles
from api.controllers.params import POSITION_HEADER, IfMatch
from api.errors import ApiProblem
from api.schemas.claims import ACTIONS, DETECT, ClaimAction, ClaimState, DetectClaim, MatchRequest
from api.schemas.common import etag, expected_version, mirror, require_offset
from api.services import Now
from domain.claims.decide import PERMISSIONS
from domain.claims.events import Verdict
from domain.claims.service import ClaimResult, ClaimsService
from domain.shared.actors import STAFF_READERS, Actor, Role
from projections.claim_figures import MisinformationSummary, summary
from projections.claims import ClaimQueries, ClaimSummary, Match

log = structlog.get_logger("otklik.api")
JSON_LD = "application/ld+json"  # schema.org ClaimReview, as search engines and fact-checkers read
Limit = Annotated[int, Parameter(ge=1, le=500)]
FIGURE_READERS = frozenset({Role.CURATOR, Role.HEAD, Role.ANALYST, Role.AUDITOR})
ORGANISATION = "Муниципальный центр управления"
RATINGS = {
    Verdict.FALSE: (1, "Ложь"),
    Verdict.MISLEADING: (2, "Вводит в заблуждение"),
    Verdict.PARTLY_TRUE: (3, "Частично достоверно"),
    Verdict.TRUE: (5, "Достоверно"),
    Verdict.UNVERIFIABLE: (None, "Не поддаётся проверке"),
}


def _response(result: ClaimResult, status: int) -> Response[ClaimState]:
    headers = {"ETag": etag(result.state.version), POSITION_HEADER: str(result.position)}
    if status == 201:
        headers["Location"] = f"/api/v1/claims/{result.state.id}"
    return Response(mirror(result.state, ClaimState), status_code=status, headers=headers)


# GET and POST /api/v1/claims share a path: async, their blocking work moved to a thread.
@post(
    "/api/v1/claims",
    status_code=201,
    tags=["claims"],
    summary=DETECT.summary,
    guards=[roles(PERMISSIONS[DETECT.command], DETECT.name)],
)
async def detect_claim(
    request: Request[Any, Any, Any], data: DetectClaim, claims: ClaimsService
) -> Response[ClaimState]:
    return await sync_to_thread(_detect, actor_of(request), data, claims)


def _detect(actor: Actor, data: DetectClaim, claims: ClaimsService) -> Response[ClaimState]:
    result = claims.detect(DETECT.to_command(data), actor=actor)
    log.info("command", command="DetectClaim", claim_id=str(result.state.id))
    return _response(result, 201)


@get("/api/v1/claims", tags=["claims"], guards=[roles(STAFF_READERS, "read claims")])
async def list_claims(
    claim_queries: ClaimQueries,
    status: str | None = None,
    department: str | None = None,
    verdict: str | None = None,
    before: datetime | None = None,
    limit: Limit = 100,
) -> list[ClaimSummary]:
    """Claims, newest first (``before``: the last one's ``detected_at`` for the next page)."""
    require_offset("before", before)
    return await sync_to_thread(
        partial(
            claim_queries.list,
            status=status,
            department=department,
            verdict=verdict,
            before=before,
            limit=limit,
        )
    )


def _claim_route(action: ClaimAction) -> HTTPRouteHandler:
    def handler(
        request: Request[Any, Any, Any],
        claim_id: UUID,
        data: Any,
        claims: ClaimsService,
        if_match: IfMatch = None,
    ) -> Response[ClaimState]:
        command = action.to_command(data)
        result = claims.handle(
            claim_id, command, actor=actor_of(request), expected_version=expected_version(if_match)
        )
        log.info("command", command=type(command).__name__, claim_id=str(claim_id))
        return _response(result, 200)

    handler.__annotations__["data"] = action.request
    handler.__name__ = f"claim_{action.name.replace('-', '_')}"
    return post(
        f"/api/v1/claims/{{claim_id:uuid}}/{action.name}",
        sync_to_thread=True,
        status_code=200,
        tags=["claims"],
        summary=action.summary,
        operation_id=handler.__name__,
        guards=[roles(PERMISSIONS[action.command], action.name, system=action.system)],
    )(handler)


CLAIM_ROUTES = [_claim_route(action) for action in ACTIONS]


@get(
    "/api/v1/claims/{claim_id:uuid}",
    sync_to_thread=True,
    tags=["claims"],
    guards=[roles(STAFF_READERS, "read claims")],
)
def get_claim(claim_id: UUID, claims: ClaimsService) -> Response[ClaimState]:
    """The claim's current state, folded from its events."""
    state = claims.state(claim_id)
    return Response(mirror(state, ClaimState), headers={"ETag": etag(state.version)})


@post(
    "/api/v1/claims/match",
    sync_to_thread=True,
    status_code=200,
    tags=["claims"],
    guards=[roles(STAFF_READERS, "match claims")],
)
def match_claims(data: MatchRequest, claim_queries: ClaimQueries) -> list[Match]:
    """Known claims a new post repeats, best first, with a similarity (0..1) at or above the
    threshold and the existing refutation to answer it with."""
    return claim_queries.match(data.text, threshold=data.threshold, limit=data.limit)


@get(
    "/api/v1/misinformation/summary",
    sync_to_thread=True,
    tags=["claims"],
    guards=[roles(FIGURE_READERS, "read the misinformation figures")],
)
def misinformation_summary(
    claim_queries: ClaimQueries,
    clock: Now,
    since: datetime | None = None,
    until: datetime | None = None,
    department: str | None = None,
) -> MisinformationSummary:
    """For the claims detected in [since, until): time to verdict and to refutation (median,
    p90, share within the norm), open claims by age and reach, recurring claims, by
    department."""
    require_offset("since", since)
    require_offset("until", until)
    return summary(claim_queries.pool, now=clock(), since=since, until=until, department=department)


def claim_review(claim: ClaimSummary) -> dict[str, Any]:
    """The published refutation as schema.org ClaimReview (JSON-LD)."""
    value, name = RATINGS[Verdict(claim.verdict or Verdict.UNVERIFIABLE)]
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": name}
    if value is not None:
        rating.update(ratingValue=value, bestRating=5, worstRating=1)
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": claim.published_urls[0] if claim.published_urls else None,
        "datePublished": claim.published_at.date().isoformat() if claim.published_at else None,
        "author": {"@type": "Organization", "name": ORGANISATION},
        "claimReviewed": claim.text,
        "reviewRating": rating,
        "reviewBody": claim.refutation,
        "itemReviewed": {
            "@type": "Claim",
            "datePublished": claim.first_seen.date().isoformat(),
            "firstAppearance": {"@type": "CreativeWork", "url": claim.source_urls[0]},
            "appearance": [{"@type": "CreativeWork", "url": url} for url in claim.source_urls],
        },
    }


@get(
    "/api/v1/claims/{claim_id:uuid}/claim-review",
    sync_to_thread=True,
    tags=["claims"],
    opt=PUBLIC_ROUTE,
    media_type=JSON_LD,
)
def get_claim_review(claim_id: UUID, claim_queries: ClaimQueries) -> Response[dict[str, Any]]:
    """Public: the claim's published refutation as schema.org ClaimReview (JSON-LD)."""
    found = claim_queries.one(claim_id)
    if found is None or found.published_at is None:
        raise ApiProblem(404, "not-found", "Not found", "the claim has no published refutation")
    return Response(claim_review(found), media_type=JSON_LD)


@get(
    "/api/v1/claim-reviews",
    sync_to_thread=True,
    tags=["claims"],
    opt=PUBLIC_ROUTE,
    media_type=JSON_LD,
)
def list_claim_reviews(
    claim_queries: ClaimQueries, limit: Limit = 100
) -> Response[list[dict[str, Any]]]:
    """Public: the published refutations as schema.org ClaimReview (JSON-LD), newest first."""
    published = claim_queries.list(published=True, limit=limit)
    return Response([claim_review(c) for c in published], media_type=JSON_LD)
