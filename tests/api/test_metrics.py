"""/metrics for Prometheus: requests grouped by route template, Otklik's own counters and gauges."""

from __future__ import annotations

import time

import httpx

from tests.api.test_appeals_api import NEW_MESSAGE


def test_metrics_count_requests_by_route_template_events_commands_and_projections(
    client: httpx.Client,
) -> None:
    created = client.post("/api/v1/appeals", json=NEW_MESSAGE)
    assert created.status_code == 201, created.text
    appeal_id = created.json()["id"]
    assert client.get(f"/api/v1/appeals/{appeal_id}").status_code == 200
    assert client.post(f"/api/v1/appeals/{appeal_id}/categorise", json={}).status_code == 400

    # the projections run in their own process (started with the server): wait for their builds
    deadline = time.monotonic() + 60
    while not client.get("/api/v1/projections").json() and time.monotonic() < deadline:
        time.sleep(0.2)
    scraped = httpx.get(f"{client.base_url}/metrics", timeout=30)
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    assert "otklik_requests_total{" in scraped.text
    text = scraped.text
    assert appeal_id not in text  # paths are grouped by their template
    assert 'path="/api/v1/appeals/{appeal_id}"' in text
    assert 'otklik_events_appended_total{type="AppealReceived"}' in text
    assert 'otklik_commands_total{outcome="accepted",route="/api/v1/appeals"}' in text
    assert 'outcome="refused",route="/api/v1/appeals/{appeal_id}/categorise"' in text
    assert 'otklik_projection_position{generation="' in text and 'projection="appeals"' in text
    assert "otklik_projection_state{" in text and 'state="live"' in text
    assert 'otklik_pool_requests_waiting{pool="requests"}' in text
