"""The citizen's rating round trip through HTTP (issue 17): a signed link → the page → the score,
recorded with the citizen as the actor, and the rating that prefers it; reuse, expiry,
tampering and bad forms refused with their pages and problems, recording nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest

from infra.rating_links import RatingLinks
from tests.api.conftest import RATING_SECRET
from tests.api.test_appeals_api import CITIZEN_NAME, NEW_MESSAGE, act, assert_problem, receive
from tests.conftest import event_count

pytestmark = pytest.mark.integration
# the test servers' municipality: a month or a day is theirs, not UTC's (from 21:00 UTC
# Moscow is already in the next day)
MOSCOW = ZoneInfo("Europe/Moscow")
Conn = psycopg.Connection[tuple[object, ...]]
LINKS = RatingLinks(RATING_SECRET.encode(), "http://unused", timedelta(days=30))
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def answered(client: httpx.Client, department: str = "ugkh") -> tuple[str, str]:
    """An appeal answered and delivered: its id and registration number."""
    appeal_id = receive(client).json()["id"]
    registered = act(client, appeal_id, "register").json()
    for action, body in [
        ("assign", {"department": department}),
        ("answer", {"text": "Мусор вывезен"}),
        ("approve-answer", {}),
        ("publish-answer", {}),
        ("deliver-answer", {}),
    ]:
        assert act(client, appeal_id, action, body).status_code == 200, action
    return appeal_id, registered["registration_number"]


def token(appeal_id: str, version: int = 1, now: datetime | None = None) -> str:
    return LINKS.token_for(UUID(appeal_id), version, now or datetime.now(UTC))


def page(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=30)  # the public: no token


def test_the_citizen_rates_through_the_link_as_the_citizen(
    base_url: str, client: httpx.Client, tokens: dict[str, str]
) -> None:
    appeal_id, number = answered(client)
    link = f"/rate/{token(appeal_id)}"
    with page(base_url) as public:
        shown = public.get(link)
        assert shown.status_code == 200, shown.text
        assert shown.headers["content-type"].startswith("text/html")
        assert 'name="viewport"' in shown.text and "Оцените ответ" in shown.text
        assert number in shown.text
        for private in (CITIZEN_NAME, NEW_MESSAGE["text"], "Мусор вывезен", "+7 912"):
            assert private not in shown.text  # no name, no text of the appeal or the answer
        assert shown.headers["cache-control"] == "no-store"
        assert shown.headers["referrer-policy"] == "no-referrer"
        rated = public.post(
            link, content="score=4&comment=%D0%A1%D0%BF%D0%B0%D1%81%D0%B8%D0%B1%D0%BE", headers=FORM
        )
        assert rated.status_code == 200, rated.text
        assert "Спасибо за оценку" in rated.text
    history = client.get(
        f"/api/v1/appeals/{appeal_id}/history",
        headers={"Authorization": f"Bearer {tokens['head']}"},
    ).json()["events"]
    event = history[-1]
    assert event["type"] == "SatisfactionRated", event
    assert event["actor"]["role"] == "citizen" and event["actor"]["id"] == f"citizen:{appeal_id}"
    assert event["payload"]["score"] == 4 and event["payload"]["by_citizen"] is True
    assert event["payload"]["comment"] == "Спасибо"
    state = client.get(f"/api/v1/appeals/{appeal_id}").json()
    assert (state["citizen_score"], state["preferred_score"]) == (4, 4)


def test_a_used_link_is_refused_with_410_and_records_nothing(
    base_url: str, client: httpx.Client, sql: Conn
) -> None:
    appeal_id, _ = answered(client)
    link = f"/rate/{token(appeal_id)}"
    with page(base_url) as public:
        assert public.post(link, content="score=5", headers=FORM).status_code == 200
        before = event_count(sql)
        again = public.post(link, content="score=1", headers=FORM)
        assert again.status_code == 410 and "Оценка уже получена" in again.text
        shown = public.get(link)
        assert shown.status_code == 410 and "Оценка уже получена" in shown.text
        as_json = public.get(link, headers={"Accept": "application/json"})
        problem = assert_problem(as_json, 410, "answer-already-rated")
        assert problem["instance"] == "/rate/{token}"  # never the token itself
    assert event_count(sql) == before


def test_an_expired_or_tampered_link_rates_nothing(
    base_url: str, client: httpx.Client, sql: Conn
) -> None:
    appeal_id, _ = answered(client)
    expired = token(appeal_id, now=datetime.now(UTC) - timedelta(days=31))
    good = token(appeal_id)
    cut = good[:-3]
    forged = LINKS.token_for(uuid4(), 1, datetime.now(UTC))  # signed, but no such appeal
    other_secret = RatingLinks(b"another-secret-0123456789", "http://x", timedelta(days=30))
    before = event_count(sql)
    with page(base_url) as public:
        for path, status, text in [
            (f"/rate/{expired}", 410, "Срок ссылки истёк"),
            (f"/rate/{cut}", 400, "Ссылка повреждена"),
            (f"/rate/{good[:-10]}{'AB'[good[-10] == 'A']}{good[-9:]}", 400, "Ссылка повреждена"),
            (
                f"/rate/{other_secret.token_for(UUID(appeal_id), 1, datetime.now(UTC))}",
                400,
                "Ссылка повреждена",
            ),
            (f"/rate/{forged}", 400, "Ссылка повреждена"),
            ("/rate/" + "x" * 600, 400, "Ссылка повреждена"),
        ]:
            for answer in (public.get(path), public.post(path, content="score=5", headers=FORM)):
                assert answer.status_code == status, (path, answer.text)
                assert text in answer.text
        assert_problem(
            public.get(f"/rate/{expired}", headers={"Accept": "application/json"}),
            410,
            "rating-link-expired",
        )
        assert public.post("/rate/", content="score=5", headers=FORM).status_code in (404, 405)
    assert event_count(sql) == before


@pytest.mark.parametrize(
    "form",
    [
        "score=6",
        "",
        "comment=%D0%B1%D0%B5%D0%B7",
        "score=0",
        "score=4.5",
        "score=12",
        "score=5&comment=" + "a" * 2001,
        "score=5&comment=%00",
    ],
)
def test_a_bad_form_is_422_with_the_form_again_and_records_nothing(
    base_url: str, client: httpx.Client, sql: Conn, form: str
) -> None:
    appeal_id, _ = answered(client)
    link = f"/rate/{token(appeal_id)}"
    before = event_count(sql)
    with page(base_url) as public:
        answer = public.post(link, content=form, headers=FORM)
        assert answer.status_code == 422, answer.text
        assert 'class="error"' in answer.text and "<form" in answer.text
        as_json = public.post(link, content=form, headers={**FORM, "Accept": "application/json"})
        assert_problem(as_json, 422, "invalid-rating")
        assert public.get(link).status_code == 200  # the link is still unused
    assert event_count(sql) == before


def test_the_link_of_an_earlier_answer_is_refused_after_a_reopening(
    base_url: str, client: httpx.Client
) -> None:
    appeal_id, _ = answered(client)
    act(client, appeal_id, "reopen", {"reason": "Не вывезли", "by": "citizen"})
    with page(base_url) as public:
        answer = public.get(f"/rate/{token(appeal_id, 1)}")
        assert answer.status_code == 410 and "прежнему ответу" in answer.text
        assert public.get(f"/rate/{token(appeal_id, 2)}").status_code == 409  # not yet sent


def rating_of(base_url: str, unit: str, methodology: str) -> dict[str, Any]:
    month = f"{datetime.now(MOSCOW):%Y-%m}"
    with page(base_url) as public:
        answer = public.get("/api/v1/ratings", params={"period": month, "methodology": methodology})
    assert answer.status_code == 200, answer.text
    rated: dict[str, Any] = next(u for u in answer.json()["units"] if u["unit"] == unit)
    return rated


def test_the_rating_uses_the_citizens_score_under_v2_and_the_last_one_under_v1(
    base_url: str, client: httpx.Client
) -> None:
    unit = "ocenki"  # a unit of its own: its figures are this test's
    appeal_id, _ = answered(client, department=unit)
    with page(base_url) as public:
        assert (
            public.post(f"/rate/{token(appeal_id)}", content="score=2", headers=FORM).status_code
            == 200
        )
    typed = act(client, appeal_id, "rate", {"score": 5})  # staff type what they were told, later
    assert typed.status_code == 200, typed.text
    client.get(
        "/api/v1/appeals", params={"limit": 1, "min_position": typed.headers["x-otklik-position"]}
    )
    v2 = rating_of(base_url, unit, "v2")
    v1 = rating_of(base_url, unit, "v1/1")
    assert v2["indicators"]["average_score"] == 2.0  # the citizen's own score
    assert v2["indicators"]["satisfaction_share"] == 0.0
    assert v1["indicators"]["average_score"] == 5.0  # v1 counts the last score given
    assert v1["indicators"]["satisfaction_share"] == 1.0
