"""The citizen's rating page (issue 17): ``GET /rate/{token}`` shows the form, ``POST`` records the
score with the citizen as the actor. Public (the signed token is the capability: a POST without
it is no route), server-rendered in Russian, no JavaScript; it shows the registration number and
the answer's date at most. Refusals are pages with their status (400 tampered, 404 off or no
such appeal, 409 nothing sent yet, 410 expired or used, 422 a bad form), or RFC 9457 problems to
a client that asks for JSON; neither repeats the token or what was typed."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.concurrency import sync_to_thread

from api.auth import PUBLIC_ROUTE
from api.rating_links import LinkExpired, LinkRefused, RatingLinkReader
from api.rating_page_views import (
    EARLIER,
    EXPIRED,
    NOT_SENT,
    OFF,
    TAMPERED,
    USED,
    PageRefusal,
    form_page,
    invalid_form,
    read_form,
    refusal,
    thanks_page,
    wants_json,
)
from domain.appeals.application import AppealsApplication
from domain.appeals.citizen_commands import RateAnswerAsCitizen
from domain.appeals.decisions.citizen_rating import AnswerAlreadyRated, AnswerNotSent, EarlierAnswer
from domain.appeals.state import AppealState
from domain.shared.actors import citizen_actor
from domain.shared.errors import ConcurrencyConflict, NotFound

PATH = "/rate/{token:str}"
_OPT = {**PUBLIC_ROUTE}


def _linked(
    links: RatingLinkReader | None, appeals: AppealsApplication, token: str, now: datetime
) -> tuple[AppealState, int]:
    """The appeal and answer version the token rates, or the refusal that says why not."""
    if links is None:
        raise PageRefusal(OFF)
    try:
        appeal_id, version = links.verify(token, now)
    except LinkExpired:
        raise PageRefusal(EXPIRED) from None
    except LinkRefused:
        raise PageRefusal(TAMPERED) from None
    try:
        state = appeals.state(appeal_id)
    except NotFound:
        raise PageRefusal(TAMPERED) from None
    return state, version


def _rateable(state: AppealState, version: int) -> None:
    if version != state.answer_version:
        raise PageRefusal(EARLIER)
    if state.citizen_rated_current_answer:
        raise PageRefusal(USED)
    if state.answer_published_at is None:
        raise PageRefusal(NOT_SENT)


def _rate(
    appeals: AppealsApplication, appeal_id: UUID, command: RateAnswerAsCitizen
) -> AppealState:
    try:
        return appeals.handle(appeal_id, command, actor=citizen_actor(appeal_id)).state
    except AnswerAlreadyRated:
        raise PageRefusal(USED) from None
    except EarlierAnswer:
        raise PageRefusal(EARLIER) from None
    except AnswerNotSent:
        raise PageRefusal(NOT_SENT) from None
    except ConcurrencyConflict:  # the same link sent twice at once: one of them rated
        raise PageRefusal(USED) from None


@get(PATH, opt=_OPT, include_in_schema=False)
async def show_rating_form(
    request: Request[Any, Any, Any],
    token: str,
    appeals: AppealsApplication,
    rating_links: RatingLinkReader | None,
) -> Response[Any]:
    try:
        state, version = await sync_to_thread(
            _linked, rating_links, appeals, token, appeals.clock()
        )
        _rateable(state, version)
    except PageRefusal as refused:
        return refusal(request, refused)
    return form_page(state, appeals.policy.zone)


@post(PATH, opt=_OPT, include_in_schema=False, status_code=200)
async def submit_rating(
    request: Request[Any, Any, Any],
    token: str,
    appeals: AppealsApplication,
    rating_links: RatingLinkReader | None,
) -> Response[Any]:
    try:
        state, version = await sync_to_thread(
            _linked, rating_links, appeals, token, appeals.clock()
        )
        _rateable(state, version)
        score, comment, problem = await read_form(request)
        if (problem is not None or score is None) and wants_json(request):
            return invalid_form(request)
        if problem is not None or score is None:
            return form_page(
                state, appeals.policy.zone, error=problem, chosen=score, comment=comment, status=422
            )
        command = RateAnswerAsCitizen(score=score, comment=comment, answer_version=version)
        rated = await sync_to_thread(_rate, appeals, state.id, command)
    except PageRefusal as refused:
        return refusal(request, refused)
    return thanks_page(rated, score)


RATING_PAGE_ROUTES = [show_rating_form, submit_rating]
