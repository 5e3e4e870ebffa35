"""Defect 9 through HTTP: a policy lengthening a statutory term is refused with a problem naming
the article, nothing written; a correction says why; a version carries its effective date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.api.test_appeals_api import assert_problem, auth

pytestmark = pytest.mark.integration
PATH = "/api/v1/sla/policies/region-law"


def with_rule(rules: list[dict[str, Any]], **changed: Any) -> list[dict[str, Any]]:
    """The rules with the appeal's rule for ``changed["deadline"]`` changed."""
    return [
        {**r, **changed} if r["deadline"] == changed["deadline"] and r["kinds"] == ["appeal"] else r
        for r in rules
    ]


# (what, the changed rule, the article the problem names)
LONGER = [
    ("60 days to answer", {"deadline": "answer", "amount": 60}, "ст.12 ч.1 59-ФЗ"),
    ("10 days to register", {"deadline": "register", "amount": 10}, "ст.8 ч.2 59-ФЗ"),
    ("14 days to forward", {"deadline": "forward", "amount": 14}, "ст.8 ч.3 59-ФЗ"),
]


@pytest.mark.parametrize(("what", "changed", "article"), LONGER, ids=[r[0] for r in LONGER])
def test_a_policy_longer_than_the_law_is_refused_naming_the_article(
    client: httpx.Client, tokens: dict[str, str], what: str, changed: dict[str, Any], article: str
) -> None:
    rules = client.get("/api/v1/sla/policies/federal").json()["policy"]["rules"]
    body = {"title": "Сроки региона", "rules": with_rule(rules, **changed), "note": what}
    refused = client.post(PATH, json=body, headers=auth(tokens["curator"]))
    problem = assert_problem(refused, 422)
    assert article in problem["detail"] and "never lengthen" in problem["detail"]
    assert client.get(PATH).status_code == 404  # nothing written


def test_a_version_carries_its_date_and_a_correction_its_reason(
    client: httpx.Client, tokens: dict[str, str]
) -> None:
    curator = auth(tokens["curator"])
    rules = client.get("/api/v1/sla/policies/federal").json()["policy"]["rules"]
    shorter = with_rule(rules, deadline="answer", amount=20)
    later = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    body = {"title": "Сроки региона", "rules": shorter, "note": "20 дней", "effective_from": later}
    done = client.post(PATH, json=body, headers=curator)
    assert done.status_code == 201, done.text
    assert datetime.fromisoformat(done.json()["effective_from"]) == datetime.fromisoformat(later)
    unexplained = {**body, "effective_from": None, "correction": True}
    assert (
        "reason"
        in assert_problem(client.post(PATH, json=unexplained, headers=curator), 422)["detail"]
    )
    fixed = {**unexplained, "reason": "Опечатка в сроке"}
    corrected = client.post(PATH, json=fixed, headers=curator)
    assert corrected.status_code == 201, corrected.text
    assert corrected.json()["effective_from"] == done.json()["effective_from"]
