"""The citizen's rating page in a real headless Chromium (the Debian package, driven by
Playwright), with JavaScript off: open the link sent with the answer, rate, see the thanks; the
same link again, an expired one and a damaged one each say why they rate nothing. The page's
screenshot goes to docs/rating/page.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from domain.appeals import events as ev
from domain.appeals.application import AppealsApplication
from domain.shared.actors import Role
from infra.rating_links import RatingLinks
from tests.browser.conftest import CHROMIUM_ARGS, RATING_SECRET

pytestmark = [pytest.mark.browser, pytest.mark.integration]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "rating"
CITIZEN = "Сидорова Анна Викторовна"
APPEAL_TEXT = "Во дворе дома 5 не работает фонарь"
PHONE = ViewportSize(width=390, height=844)  # a phone's screen


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, java_script_enabled=False, locale="ru-RU"
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def answered(base_url: str, token: str) -> tuple[str, str]:
    """An appeal answered and delivered through the API: its id and registration number."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        body = {
            "kind": "message",
            "channel": "pos",
            "text": APPEAL_TEXT,
            "citizen": {"full_name": CITIZEN, "email": "sidorova@example.ru"},
        }
        received = client.post("/api/v1/appeals", json=body)
        assert received.status_code == 201, received.text
        appeal_id = received.json()["id"]
        number = ""
        for action, payload in [
            ("register", {}),
            ("assign", {"department": "ugkh"}),
            ("answer", {"text": "Фонарь заменён"}),
            ("approve-answer", {}),
            ("publish-answer", {}),
            ("deliver-answer", {}),
        ]:
            done = client.post(f"/api/v1/appeals/{appeal_id}/{action}", json=payload)
            assert done.status_code == 200, (action, done.text)
            number = done.json().get("registration_number") or number
    return appeal_id, number


def test_the_citizen_rates_the_answer_in_a_browser_once(
    base_url: str, operator_token: str, page: Page, app: AppealsApplication
) -> None:
    appeal_id, number = answered(base_url, operator_token)
    links = RatingLinks(RATING_SECRET.encode(), base_url, timedelta(days=30))
    now = datetime.now(UTC)
    link = links.link_for(UUID(appeal_id), 1, now)

    shown = page.goto(link)
    assert shown is not None and shown.status == 200
    assert page.locator("h1").inner_text() == "Оцените ответ на ваше обращение"
    assert number in page.content()
    for private in (CITIZEN, APPEAL_TEXT, "Фонарь заменён", "sidorova@"):
        assert private not in page.content()
    page.get_by_label("4").check()
    page.locator("#comment").fill("Спасибо, фонарь горит")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "page.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Отправить оценку").click()
    assert page.locator("h1").inner_text() == "Спасибо за оценку!"
    page.screenshot(path=str(SCREENSHOTS / "thanks.png"), full_page=True)

    rated = app.events_of(UUID(appeal_id))[-1]
    assert isinstance(rated, ev.SatisfactionRated)
    assert (rated.score, rated.comment, rated.by_citizen) == (4, "Спасибо, фонарь горит", True)
    assert rated.actor.role is Role.CITIZEN and rated.actor.id == f"citizen:{appeal_id}"

    again = page.goto(link)
    assert again is not None and again.status == 410
    assert page.locator("h1").inner_text() == "Оценка уже получена"

    expired = page.goto(links.link_for(UUID(appeal_id), 1, now - timedelta(days=31)))
    assert expired is not None and expired.status == 410
    assert page.locator("h1").inner_text() == "Срок ссылки истёк"

    damaged = page.goto(link[:-4])
    assert damaged is not None and damaged.status == 400
    assert page.locator("h1").inner_text() == "Ссылка повреждена"
    assert app.events_of(UUID(appeal_id))[-1] == rated  # nothing more recorded
