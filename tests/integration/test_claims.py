"""Claims on the real event store: recognising a resurfacing fake (precision and recall on a
Russian test set), the response view rebuilt equal to the live one, its headline figures equal
to an independent computation from the raw events, and the norm watcher."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from domain.claims import commands as cmd
from domain.claims.commands import SourcePostInput
from domain.claims.events import Norm, Verdict
from domain.shared.actors import Actor, Role
from infra.container import Container
from infra.database import ConnectionInfo
from projections.claim_figures import summary
from projections.claims import MATCH_THRESHOLD
from tests.conftest import own_database
from tests.data.claims_matching import KNOWN, NEAR_MISSES, PARAPHRASES

pytestmark = pytest.mark.integration
CURATOR = Actor(id="cur-1", role=Role.CURATOR, name="Куратор")


@pytest.fixture(scope="module")
def claims_db(db_server: ConnectionInfo) -> Iterator[tuple[Container, ConnectionInfo]]:
    """A database of its own: the figures are computed over every claim in it."""
    with own_database(db_server, "claims") as opened:
        yield opened


def source(
    n: int, reach: int = 100, text: str | None = None, at: datetime | None = None
) -> SourcePostInput:
    return SourcePostInput(
        url=f"https://vk.com/wall-7_{n}",
        channel="vk",
        first_seen=at or datetime.now(UTC),
        reach=reach,
        text=text,
    )


def detect(container: Container, text: str, n: int, **fields: Any) -> uuid.UUID:
    command = cmd.DetectClaim(text=text, sources=(source(n),), **fields)
    return container.claims.detect(command, actor=CURATOR).state.id


def test_a_resurfacing_fake_is_recognised_precision_and_recall(
    claims_db: tuple[Container, ConnectionInfo],
) -> None:
    container, _info = claims_db
    ids = {detect(container, text, 1000 + i): key for i, (key, text) in enumerate(KNOWN.items())}
    container.engine.catch_up_all()
    sweep = {}
    for threshold in (0.4, 0.45, 0.5, MATCH_THRESHOLD, 0.6, 0.7):
        true_pos = false_pos = 0
        for key, text in PARAPHRASES:
            found = container.claim_queries.match(text, threshold=threshold, limit=1)
            if found and ids.get(found[0].claim_id) == key:
                true_pos += 1
            elif found:
                false_pos += 1
        for text in NEAR_MISSES:
            false_pos += bool(container.claim_queries.match(text, threshold=threshold, limit=1))
        precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
        recall = true_pos / len(PARAPHRASES)
        sweep[threshold] = (precision, recall)
        print(f"threshold {threshold:.2f}: precision {precision:.2f}, recall {recall:.2f}")
    precision, recall = sweep[MATCH_THRESHOLD]
    assert precision >= 0.95 and recall >= 0.8, sweep
    # the existing refutation comes with the match
    water = next(i for i, k in ids.items() if k == "water")
    for command in (
        cmd.AssessClaim(
            verdict=Verdict.FALSE, evidence=("График",), department="ЖКХ", rationale="Нет"
        ),
        cmd.DraftRefutation(text="Горячую воду не отключают"),
        cmd.ApproveRefutation(approver="Куратор"),
        cmd.PublishRefutation(channel="vk", url="https://vk.com/wall-100_9"),
    ):
        container.claims.handle(water, command, actor=CURATOR)
    container.engine.catch_up_all()
    (best,) = container.claim_queries.match(PARAPHRASES[0][1], threshold=MATCH_THRESHOLD, limit=1)
    assert best.claim_id == water and best.refutation == "Горячую воду не отключают"
    assert best.published_urls == ["https://vk.com/wall-100_9"]


def scenario(container: Container) -> None:
    """Claims over the past days: on time, late, urgent, resurfaced, open, closed."""
    now = datetime.now(UTC)
    plans = [
        # (days ago, reach, hours to verdict, verdict, hours to publication, resurfacings, close)
        (9, 50, 2, Verdict.FALSE, 5, 1, True),
        (8, 20_000, 1, Verdict.MISLEADING, 4, 0, True),
        (7, 300, 30, Verdict.FALSE, 60, 2, False),
        (6, 100, 3, Verdict.TRUE, None, 0, True),
        (5, 15_000, 5, Verdict.FALSE, None, 0, False),
        (3, 500, None, None, None, 0, False),
        (2, 40_000, None, None, None, 1, False),
        (1, 10, 6, Verdict.UNVERIFIABLE, None, 0, False),
    ]
    for n, (days, reach, to_verdict, verdict, to_publish, resurfaced, close) in enumerate(plans):
        at = now - timedelta(days=days)
        command = cmd.DetectClaim(
            text=f"Слух номер {n}: в городе что-то случится",
            sources=(source(2000 + n, reach, at=at),),
            occurred_at=at,
        )
        claim_id = container.claims.detect(command, actor=CURATOR).state.id
        department = "Управление ЖКХ" if n % 2 else "Управление здравоохранения"
        steps: list[cmd.ClaimCommand] = []
        if to_verdict is not None and verdict is not None:
            steps.append(
                cmd.AssessClaim(
                    verdict=verdict,
                    evidence=("Справка",),
                    department=department,
                    rationale="Проверено",
                    occurred_at=at + timedelta(hours=to_verdict),
                )
            )
        if to_publish is not None:
            when = at + timedelta(hours=to_publish)
            steps += [
                cmd.DraftRefutation(text="Это неправда", occurred_at=when - timedelta(minutes=30)),
                cmd.ApproveRefutation(approver="Куратор", occurred_at=when - timedelta(minutes=10)),
                cmd.PublishRefutation(
                    channel="vk", url=f"https://vk.com/wall-100_{n}", occurred_at=when
                ),
            ]
        for r in range(resurfaced):
            steps.append(
                cmd.RecordResurfacing(
                    source=source(3000 + n * 10 + r, at=at + timedelta(days=1)),
                    similarity=0.8,
                    occurred_at=at + timedelta(days=1, hours=r),
                )
            )
        if close:
            steps.append(cmd.CloseClaim(reason="Отработано", occurred_at=at + timedelta(days=2)))
        for step in steps:
            container.claims.handle(claim_id, step, actor=CURATOR)


def _percentile(values: list[float], p: float) -> float | None:
    """PostgreSQL's percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    rank = p * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def independent_figures(info: ConnectionInfo, now: datetime) -> dict[str, Any]:
    """The headline figures straight from the raw events (JSON), sharing no code with the view."""
    claims: dict[str, dict[str, Any]] = {}
    with psycopg.connect(info.conninfo) as conn:
        rows = conn.execute(
            "SELECT originator_id, topic, state FROM otklik_events ORDER BY notification_id"
        ).fetchall()
    for originator, topic, state in rows:
        kind = topic.split("@")[0]
        data = json.loads(bytes(state))
        at = datetime.fromisoformat(data["occurred_at"].replace("Z", "+00:00"))
        c = claims.get(str(originator))
        if kind == "ClaimDetected":
            claims[str(originator)] = {
                "detected": at,
                "verdict_due": datetime.fromisoformat(data["verdict_due"].replace("Z", "+00:00")),
                "refutation_due": datetime.fromisoformat(
                    data["refutation_due"].replace("Z", "+00:00")
                ),
                "verdict": None,
                "verdict_at": None,
                "published": None,
                "closed": False,
                "resurfaced": 0,
                "reach": sum(s["reach"] for s in data["sources"]),
            }
        elif c is None:
            continue
        elif kind == "ClaimAssessed":
            c["verdict"] = data["verdict"]
            c["verdict_at"] = c["verdict_at"] or at
        elif kind == "RefutationPublished":
            c["published"] = c["published"] or at
        elif kind == "ClaimClosed":
            c["closed"] = True
        elif kind == "ClaimResurfaced":
            c["resurfaced"] += 1
            c["closed"] = False
            c["reach"] += data["source"]["reach"]
        elif kind == "SourceAdded":
            c["reach"] += data["source"]["reach"]
    hours = [
        (c["verdict_at"] - c["detected"]).total_seconds() / 3600
        for c in claims.values()
        if c["verdict_at"]
    ]
    refutable = [c for c in claims.values() if c["verdict"] in ("false", "misleading")]
    published = [
        (c["published"] - c["detected"]).total_seconds() / 3600 for c in refutable if c["published"]
    ]
    judged = [c for c in claims.values() if c["verdict_at"] or c["verdict_due"] < now]
    judged_r = [c for c in refutable if c["published"] or c["refutation_due"] < now]
    return {
        "claims": len(claims),
        "open": sum(not c["closed"] for c in claims.values()),
        "recurring": sum(c["resurfaced"] > 0 for c in claims.values()),
        "resurfacings": sum(c["resurfaced"] for c in claims.values()),
        "verdict_median": _percentile(hours, 0.5),
        "verdict_p90": _percentile(hours, 0.9),
        "verdict_share": sum(
            bool(c["verdict_at"] and c["verdict_at"] <= c["verdict_due"]) for c in judged
        )
        / len(judged),
        "refutation_median": _percentile(published, 0.5),
        "refutation_p90": _percentile(published, 0.9),
        "refutation_share": sum(
            bool(c["published"] and c["published"] <= c["refutation_due"]) for c in judged_r
        )
        / len(judged_r),
        "open_big": sum(not c["closed"] and c["reach"] >= 10_000 for c in claims.values()),
    }


def test_the_view_rebuilt_equals_the_live_one_and_its_figures_the_raw_events(
    claims_db: tuple[Container, ConnectionInfo],
) -> None:
    container, info = claims_db
    scenario(container)
    container.engine.catch_up_all()
    engine = container.engine
    live = engine.active("claims")
    assert live is not None
    builds, _ = engine.rebuild(["claims"], resume=False)
    assert engine.checksums(builds[0]) == engine.checksums(live)
    now = datetime.now(UTC)
    view = summary(container.claim_queries.pool, now=now)
    raw = independent_figures(info, now)
    assert view.claims == raw["claims"] and view.open == raw["open"]
    assert (view.recurring, view.resurfacings) == (raw["recurring"], raw["resurfacings"])
    assert view.verdict.median_hours == pytest.approx(raw["verdict_median"], abs=0.01)
    assert view.verdict.p90_hours == pytest.approx(raw["verdict_p90"], abs=0.01)
    assert view.verdict.within_norm_share == pytest.approx(raw["verdict_share"], abs=1e-4)
    assert view.refutation.median_hours == pytest.approx(raw["refutation_median"], abs=0.01)
    assert view.refutation.p90_hours == pytest.approx(raw["refutation_p90"], abs=0.01)
    assert view.refutation.within_norm_share == pytest.approx(raw["refutation_share"], abs=1e-4)
    assert view.open_by_reach[">=10k"] == raw["open_big"]
    assert sum(view.open_by_age.values()) == view.open
    assert {d.department for d in view.by_department} >= {
        "Управление ЖКХ",
        "Управление здравоохранения",
    }


def test_the_norm_watcher_records_each_breach_once(
    claims_db: tuple[Container, ConnectionInfo],
) -> None:
    container, _info = claims_db
    at = datetime.now(UTC) - timedelta(days=4)
    late = container.claims.detect(
        cmd.DetectClaim(text="Забытый слух", sources=(source(4001, at=at),), occurred_at=at),
        actor=CURATOR,
    ).state.id
    container.engine.catch_up_all()
    container.watcher.scan_claims()
    container.engine.catch_up_all()
    container.watcher.scan_claims()  # again: nothing new
    state = container.claims.state(late)
    assert sorted(state.breaches) == sorted([Norm.VERDICT, Norm.REFUTATION])
    assert state.version == 3
