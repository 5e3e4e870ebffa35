"""The rating page's views (issue 17): its Jinja2 templates (``api/templates/rating``), the form it
reads, and its refusals, as a page or, to a client that asks for JSON, an RFC 9457 problem."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request, Response

from api.errors import problem
from domain.appeals.citizen_commands import COMMENT_MAX, RateAnswerAsCitizen
from domain.appeals.state import AppealState
from domain.shared.errors import InvalidCommand

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
ORGANISATION = "Муниципальный центр управления"
SCORES = [
    (1, "очень плохо"),
    (2, "плохо"),
    (3, "удовлетворительно"),
    (4, "хорошо"),
    (5, "отлично"),
]
# The page is a capability: not cached, not framed, its address not sent on as a referrer.
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}
_SCORE_VALUES = frozenset(str(value) for value, _label in SCORES)
MAX_FORM_BYTES = 16 * 1024  # a comment of 2,000 characters, percent-encoded, and the score


@dataclass(frozen=True)
class Reason:
    """Why a link rates nothing: its status, problem slug and English detail (for a JSON client),
    and the page's Russian title and text."""

    status: int
    slug: str
    detail: str
    title: str
    message: str


class PageRefusal(Exception):
    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.detail)
        self.reason = reason


OFF = Reason(
    404,
    "rating-links-off",
    "rating by link is not configured on this server",
    "Оценка по ссылке недоступна",
    "Сейчас оценки по ссылкам не принимаются. Попробуйте позже.",
)
TAMPERED = Reason(
    400,
    "rating-link-damaged",
    "the link is not one this service made",
    "Ссылка повреждена",
    "Ссылка повреждена: проверьте, что она скопирована из письма полностью.",
)
EXPIRED = Reason(
    410,
    "rating-link-expired",
    "the link has expired",
    "Срок ссылки истёк",
    "Срок ссылки истёк: оценку по ней поставить уже нельзя.",
)
USED = Reason(
    410,
    "answer-already-rated",
    "this answer has already been rated through its link",
    "Оценка уже получена",
    "Оценка уже получена. Спасибо, что нашли время ответить!",
)
EARLIER = Reason(
    410,
    "earlier-answer",
    "the link is for an earlier answer: the appeal was reopened since",
    "Ссылка относится к прежнему ответу",
    "По обращению готовится новый ответ; ссылку для его оценки пришлём вместе с ним.",
)
NOT_SENT = Reason(
    409,
    "answer-not-sent",
    "the answer has not been sent: there is nothing to rate yet",
    "Ответ ещё не отправлен",
    "Ответ по обращению ещё не отправлен: оценить его можно будет после получения.",
)


def _render(template: str, status: int, **values: Any) -> Response[str]:
    body = TEMPLATES.get_template(f"rating/{template}").render(organisation=ORGANISATION, **values)
    return Response(
        body, status_code=status, media_type="text/html; charset=utf-8", headers=HEADERS
    )


def wants_json(request: Request[Any, Any, Any]) -> bool:
    accept = request.headers.get("accept", "")
    return "json" in accept and "text/html" not in accept


def refusal(request: Request[Any, Any, Any], refused: PageRefusal) -> Response[Any]:
    reason = refused.reason
    if wants_json(request):
        answer = problem(request, reason.status, reason.slug, "Rating link refused", reason.detail)
        answer.headers.update(HEADERS)
        return answer
    return _render("message.html", reason.status, title=reason.title, message=reason.message)


def _answered_on(state: AppealState, zone: ZoneInfo) -> str | None:
    if state.answer_published_at is None:
        return None
    local = ZoneInfo(state.timezone) if state.timezone else zone
    return state.answer_published_at.astimezone(local).strftime("%d.%m.%Y")


def invalid_form(request: Request[Any, Any, Any]) -> Response[Any]:
    """A form without a score from 1 to 5, or with a comment that cannot be kept, as a problem."""
    answer = problem(
        request,
        422,
        "invalid-rating",
        "Invalid rating",
        f"the form needs `score` from 1 to 5 and at most a `comment` of {COMMENT_MAX} characters",
    )
    answer.headers.update(HEADERS)
    return answer


def form_page(
    state: AppealState,
    zone: ZoneInfo,
    *,
    error: str | None = None,
    chosen: int | None = None,
    comment: str | None = None,
    status: int = 200,
) -> Response[str]:
    return _render(
        "form.html",
        status,
        title="Оценка ответа",
        registration_number=state.registration_number,
        answered_on=_answered_on(state, zone),
        scores=SCORES,
        comment_max=COMMENT_MAX,
        error=error,
        chosen=chosen,
        comment=comment,
    )


def thanks_page(state: AppealState, score: int) -> Response[str]:
    return _render(
        "thanks.html",
        200,
        title="Спасибо",
        score=score,
        registration_number=state.registration_number,
    )


async def read_form(request: Request[Any, Any, Any]) -> tuple[int | None, str | None, str | None]:
    """The score and the comment the form sent, and what is wrong with them (a Russian sentence
    for the page; None: nothing). The comment is normalised as every text input is."""
    content_type = request.headers.get("content-type", "")
    body = await request.body()
    if "application/x-www-form-urlencoded" not in content_type or len(body) > MAX_FORM_BYTES:
        return None, None, "Форма отправлена не целиком: выберите оценку и отправьте ещё раз."
    form = await request.form()
    raw_score = form.get("score")
    raw_comment = form.get("comment")
    comment = raw_comment if isinstance(raw_comment, str) and raw_comment.strip() else None
    if comment is not None:
        comment = unicodedata.normalize("NFC", comment.strip())
    score = int(raw_score) if isinstance(raw_score, str) and raw_score in _SCORE_VALUES else None
    if score is None:
        return None, comment, "Выберите оценку от 1 до 5."
    if comment is not None and len(comment) > COMMENT_MAX:
        return score, comment, f"Комментарий длиннее {COMMENT_MAX} знаков: сократите его."
    try:
        msgspec.convert(
            {"score": score, "comment": comment, "answer_version": 1}, RateAnswerAsCitizen
        )
    except (msgspec.ValidationError, InvalidCommand):
        return score, comment, "В комментарии есть символы, которые нельзя сохранить."
    return score, comment, None
