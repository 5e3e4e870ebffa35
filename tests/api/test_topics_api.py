"""Categorising by the rubricator through HTTP: a code (or a name that names one entry) is
recorded with the name in force and the unit its routing rules suggest; an unknown topic is a
422 with the closest entries, and nothing is appended."""

from __future__ import annotations

import httpx
import psycopg

from tests.api.test_appeals_api import act, assert_problem, receive
from tests.conftest import event_count

Conn = psycopg.Connection[tuple[object, ...]]


def test_a_topic_by_code_is_recorded_with_its_name_and_the_suggested_unit(
    client: httpx.Client,
) -> None:
    appeal_id = receive(client).json()["id"]
    categorised = act(
        client, appeal_id, "categorise", {"topic": "M.90", "subtopic": "M.91", "essence": "Мусор"}
    )
    assert categorised.status_code == 200, categorised.text
    state = categorised.json()
    assert (state["topic_code"], state["topic"]) == ("M.90", "ЖКХ")
    assert (state["subtopic_code"], state["subtopic"]) == ("M.91", "Вывоз ТКО")
    assert state["suggested_department"] == "ugkh"  # the routing rule on M.90, its parent


def test_a_topic_by_its_name_is_recorded_by_its_code(client: httpx.Client) -> None:
    appeal_id = receive(client).json()["id"]
    state = act(client, appeal_id, "categorise", {"topic": "Освещение", "essence": "Темно"}).json()
    assert (state["topic_code"], state["topic"]) == ("M.92", "Освещение")


def test_an_unknown_topic_is_422_with_the_closest_entries_and_appends_nothing(
    client: httpx.Client, sql: Conn
) -> None:
    appeal_id = receive(client).json()["id"]
    before = event_count(sql)
    refused = act(client, appeal_id, "categorise", {"topic": "Освешение", "essence": "Темно"})
    body = assert_problem(refused, 422, "unknown-topic")
    assert {"code": "M.92", "name": "Освещение"} in body["suggestions"]
    assert "Освешение" not in body["detail"]
    assert event_count(sql) == before


def test_a_subtopic_outside_its_topic_is_refused(client: httpx.Client) -> None:
    appeal_id = receive(client).json()["id"]
    refused = act(
        client, appeal_id, "categorise", {"topic": "M.92", "subtopic": "M.91", "essence": "x"}
    )
    assert_problem(refused, 422)
