"""Prometheus metrics: Litestar's own plugin for requests (paths grouped by route template, so
ids do not explode the series), plus Otklik's own: events appended by type, commands by outcome,
projection position, lag and state per build, the watcher's breaches, and the pools' waits.

`otklik serve` runs the API workers and the projections' process side by side: it gives them a
directory of their own for prometheus_client's multiprocess mode, so a scrape of any worker adds up
every process's counters (the watcher's breaches, the re-timer's events). Projection and pool
figures are read when scraped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping

import structlog
from litestar import Response, get
from litestar.plugins.prometheus import PrometheusConfig
from litestar.types import Scope
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from api.auth import PUBLIC_ROUTE
from projections.engine.runner import ProjectionStatus

log = structlog.get_logger("otklik.metrics")

EVENTS_APPENDED = Counter(
    "otklik_events_appended", "Events appended to the log, by event type", ["type"]
)
COMMANDS = Counter(
    "otklik_commands",
    "Commands (POST requests under /api) by route template and outcome",
    ["route", "outcome"],
)
WATCHER_BREACHES = Counter(
    "otklik_watcher_breaches", "Breaches the deadline watcher recorded", ["subject"]
)
# issue 17: the outbox's delivery worker, by channel
OUTBOX_SENT = Counter("otklik_outbox_sent", "Messages the channels accepted", ["channel"])
OUTBOX_FAILED = Counter("otklik_outbox_failed", "Failed attempts to send a message", ["channel"])
OUTBOX_DEAD = Counter("otklik_outbox_dead", "Messages given up after their attempts", ["channel"])
OUTBOX_DUPLICATES = Counter(
    "otklik_outbox_duplicates",
    "Messages sent again after an attempt whose outcome a crash left unrecorded",
    ["channel"],
)
PROJECTION_STATES = ("building", "live", "retired", "failed", "stopped", "stalled")

PROMETHEUS = PrometheusConfig(
    app_name="otklik", prefix="otklik", group_path=True, exclude=["^/metrics$"]
)


@get("/metrics", include_in_schema=False, sync_to_thread=True, tags=["health"], opt=PUBLIC_ROUTE)
def metrics() -> Response[bytes]:
    """Prometheus text format: requests, commands, events, projections, the watcher, pools."""
    registry = REGISTRY
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:  # prometheus_client's own setting
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        for collector in _registered:
            registry.register(collector)
    body = generate_latest(registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def outcome(status: int) -> str:
    if status < 400:
        return "accepted"
    if status in (401, 403):
        return "denied"
    if status in (409, 412):
        return "conflict"
    if status < 500:
        return "refused"
    return "unavailable" if status == 503 else "error"


def count_command(scope: Scope, status: int) -> None:
    """Counts a POST under /api by its route template and outcome (never the raw path)."""
    route = str(scope.get("path_template", ""))
    if scope.get("method") == "POST" and route.startswith("/api/"):
        COMMANDS.labels(route=route, outcome=outcome(status)).inc()


class OtklikCollector(Collector):
    """Projection builds and pools, read at scrape time."""

    def __init__(
        self,
        status: Callable[[], list[ProjectionStatus]],
        pools: Callable[[], Mapping[str, Mapping[str, int]]],
    ) -> None:
        self._status = status
        self._pools = pools

    def collect(self) -> Iterable[Metric]:
        yield from self._projections()
        yield from self._pool_figures()

    def _projections(self) -> Iterable[Metric]:
        labels = ["projection", "version", "generation"]
        position = GaugeMetricFamily(
            "otklik_projection_position", "Log position a build has applied", labels=labels
        )
        lag = GaugeMetricFamily(
            "otklik_projection_lag_events", "Events between a build and the log head", labels=labels
        )
        state = GaugeMetricFamily(
            "otklik_projection_state", "1 for the build's state", labels=[*labels, "state"]
        )
        try:
            builds = self._status()
        except Exception as error:  # the database is away: the scrape answers without these
            log.warning("metrics.projections_unavailable", error=type(error).__name__)
            builds = []
        for build in builds:
            values = [build.name, str(build.version), str(build.generation)]
            position.add_metric(values, build.position)
            lag.add_metric(values, build.lag_events)
            for name in PROJECTION_STATES:
                state.add_metric([*values, name], 1.0 if build.state == name else 0.0)
        yield from (position, lag, state)

    def _pool_figures(self) -> Iterable[Metric]:
        waiting = GaugeMetricFamily(
            "otklik_pool_requests_waiting", "Requests waiting for a connection", labels=["pool"]
        )
        waits = GaugeMetricFamily(
            "otklik_pool_wait_ms", "Milliseconds spent waiting for connections", labels=["pool"]
        )
        size = GaugeMetricFamily("otklik_pool_size", "Connections open", labels=["pool"])
        try:
            pools = self._pools()
        except Exception:  # figures of a pool being closed: none this time
            pools = {}
        for name, figures in pools.items():
            waiting.add_metric([name], figures.get("requests_waiting", 0))
            waits.add_metric([name], figures.get("requests_wait_ms", 0))
            size.add_metric([name], figures.get("pool_size", 0))
        yield from (waiting, waits, size)


_registered: list[OtklikCollector] = []


def register_collector(collector: OtklikCollector) -> None:
    """One collector per process (the app factory may run more than once in tests)."""
    for old in _registered:
        REGISTRY.unregister(old)
    _registered[:] = [collector]
    REGISTRY.register(collector)
